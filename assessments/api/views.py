import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch
from django.http import HttpResponse
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from assessments import services
from assessments.filtersets import (
    DutyReviewFilterSet,
    HonourFilterSet,
    PayLineFilterSet,
    ReportFilterSet,
    ScoreFilterSet,
    SurveyFilterSet,
    TalkFilterSet,
)
from assessments.models import (
    BallotTally,
    DutyReview,
    Honour,
    Indicator,
    MonthlyReport,
    PayLine,
    PayPeriod,
    Scheme,
    Score,
    ScoreItem,
    ScoringRun,
    Talk,
)
from assessments.selectors import runs_in_scope
from assessments.selectors.pay import can_see_pay
from townships.api.pagination import KnownCount
from townships.api.throttling import FixedWindowUserRateThrottle
from townships.api.views import ScopedReadOnlyViewSet
from townships.cache import LocalBytes
from townships.choices import AuditAction, Role
from townships.listing import audited_filters
from townships.models import Township
from townships.scoping import can_edit_in_township, get_scoped_or_404, scope_for
from townships.services import audit_record
from villages.models import Village

from .serializers import (
    DutyReviewSerializer,
    HonourSerializer,
    MonthlyReportSerializer,
    PayLineSerializer,
    PayPeriodSerializer,
    ReportConflictSerializer,
    SchemeSerializer,
    ScoreDetailSerializer,
    ScoreSerializer,
    ScoringRunSerializer,
    SurveySerializer,
    TalkSerializer,
    score_rows,
    score_values,
)


class SchemeViewSet(ScopedReadOnlyViewSet):
    """考核方案及其指标树。"""

    base_queryset = Scheme.objects.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("position", "code"))
    )
    serializer_class = SchemeSerializer
    filterset_fields = ["year", "target", "status"]
    ordering_fields = ["year", "version"]
    ordering = ["-year", "target", "-version", "id"]


class SurveyViewSet(ScopedReadOnlyViewSet):
    """满意度测评（只读）：与页面相同的筛选参数和范围。"""

    base_queryset = (
        BallotTally.objects.surveys()
        .select_related("township", "village", "organization", "person")
        .prefetch_related("groups")
    )
    serializer_class = SurveySerializer
    filterset_class = SurveyFilterSet
    ordering_fields = ["held_on", "rate", "score", "year"]
    ordering = ["-held_on", "-id"]


class TalkViewSet(ScopedReadOnlyViewSet):
    """约谈（只读）：与页面相同的筛选参数和范围；乡镇只看到本乡镇的约谈。"""

    base_queryset = Talk.objects.select_related("township", "village", "person")
    serializer_class = TalkSerializer
    filterset_class = TalkFilterSet
    ordering_fields = ["period", "year", "held_on", "follow_up_on"]
    ordering = ["-period", "-id"]


class DutyReviewViewSet(ScopedReadOnlyViewSet):
    """述职评议（只读）：乡镇党委书记述职评议与村干部述职述廉，与汇总表相同的筛选参数和范围。"""

    base_queryset = DutyReview.objects.select_related("township", "person", "tally").prefetch_related("tally__groups")
    serializer_class = DutyReviewSerializer
    filterset_class = DutyReviewFilterSet
    ordering_fields = ["year", "composite", "reported_on"]
    ordering = ["-year", "-id"]


class PayPeriodViewSet(ScopedReadOnlyViewSet):
    """村干部报酬测算期间（只读）：状态为 approved 的期间其测算表为正式。"""

    base_queryset = PayPeriod.objects.all()
    serializer_class = PayPeriodSerializer
    filterset_fields = ["year", "half", "state"]
    ordering_fields = ["year", "half"]
    ordering = ["-year", "-half", "-id"]


class PayLineViewSet(ScopedReadOnlyViewSet):
    """村干部报酬测算表（只读）：与页面相同的筛选参数和范围；金额属个人信息，仅县委组织部管理员、
    乡镇（本乡镇）及经县里设置允许的查看人员可读，每次读取均记入审计日志。"""

    base_queryset = PayLine.objects.select_related("period", "person", "township")
    serializer_class = PayLineSerializer
    filterset_class = PayLineFilterSet
    ordering_fields = ["total", "days", "person__name"]
    ordering = ["township__sort_key", "township__name", "person__name", "id"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can_see_pay(request.user):
            raise PermissionDenied(_("您没有查看村干部报酬金额的权限。"))

    # Every answer that carries amounts is audited, with the filters used (never a typed name).
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW_AMOUNT,
            detail={"list": "api-pay-lines", "filters": audited_filters(request.GET, PayLineFilterSet)},
            request=request,
            target_repr=_("村干部报酬测算表"),
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        line = self.get_object()
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW_AMOUNT,
            target=line,
            detail={"pay_line": line.period.label},
            request=request,
        )
        return Response(self.get_serializer(line).data)


class HonourViewSet(ScopedReadOnlyViewSet):
    """表彰与推荐（只读）：七一表彰、乡镇提名的优秀共产党员和先进基层党组织、职务晋升与代表委员推荐，
    与页面相同的筛选参数和范围。"""

    base_queryset = Honour.objects.select_related("township", "village", "person", "organization")
    serializer_class = HonourSerializer
    filterset_class = HonourFilterSet
    ordering_fields = ["year", "kind", "state"]
    ordering = ["-year", "kind", "id"]


class CanFileReports(BasePermission):
    """Township staff file their own reports; county administrators too; clients and viewers read."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return user.is_superuser or user.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


class MonthlyReportViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """月度报表：乡镇可新建、修改草稿并报送本乡镇的月报。"""

    base_queryset = MonthlyReport.objects.all()
    serializer_class = MonthlyReportSerializer
    filterset_class = ReportFilterSet
    permission_classes = [CanFileReports]
    ordering_fields = ["year", "month"]
    ordering = ["-year", "-month", "township", "village", "id"]

    @extend_schema(
        responses={
            201: MonthlyReportSerializer,
            409: OpenApiResponse(ReportConflictSerializer, description="月报已被他人保存为新版本（version 不是最新）"),
        }
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("village") is not None:
            village = get_scoped_or_404(request.user, Village.objects.select_related("township"), pk=data["village"].pk)
            township = village.township
        elif data.get("township") is not None:  # the township's own report (乡镇本级)
            village, township = None, get_scoped_or_404(request.user, Township.objects.all(), pk=data["township"].pk)
        else:
            raise ValidationError({"village": "请填写村（社区）编号；乡镇本级月报请填写乡镇编号（township）。"})
        if not can_edit_in_township(request.user, township.pk):
            raise PermissionDenied("没有填报此月报的权限。")
        try:
            report = services.report_save(
                actor=request.user,
                village=village,
                township=township,
                year=data["year"],
                month=data["month"],
                values=data["values"],
                version=data.get("version"),
                request=request,
            )
        except services.ReportConflict as conflict:
            body = {"detail": conflict.messages[0], "current": self.get_serializer(conflict.report).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        if not can_edit_in_township(request.user, report.township_id):
            raise PermissionDenied("没有报送此月报的权限。")
        report = services.report_submit(actor=request.user, report=report, request=request)
        return Response(self.get_serializer(report).data)


class ScoringRunViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """评分批次：县委组织部管理员可发起。"""

    base_queryset = ScoringRun.objects.all()
    serializer_class = ScoringRunSerializer
    filterset_fields = ["kind", "year", "period", "status"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "id"]

    # What a run left out is narrowed to the user's villages, for the page of runs and for one run.
    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else runs_in_scope(user=self.request.user, runs=page)

    def get_object(self):
        return runs_in_scope(user=self.request.user, runs=[super().get_object()])[0]

    @extend_schema(responses={202: OpenApiResponse(ScoringRunSerializer, description="已排队，稍后在后台计算")})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if request.user.county_id is None:
            raise PermissionDenied("没有所属县。")
        run = services.scoring_run_start(
            actor=request.user, county_id=request.user.county_id, request=request, **serializer.validated_data
        )
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)


class VetoLastOrdering(OrderingFilter):
    """Ordering by total keeps every vetoed score below every clean one (DOMAIN §6)."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view) or []
        result = []
        for field in ordering:
            if field == "-total":
                result += ["-clean", "-total"]
            elif field == "total":
                result += ["clean", "total"]
            else:
                result.append(field)
        return result


class ScoreViewSet(ScopedReadOnlyViewSet):
    """得分（记分卡）：列表不含明细，详情含各指标得分与说明。一票否决的排在所有未否决的之后。"""

    base_queryset = Score.objects.with_clean().select_related("village", "township")
    filter_backends = [DjangoFilterBackend, VetoLastOrdering]
    serializer_class = ScoreSerializer
    filterset_class = ScoreFilterSet
    ordering_fields = ["total", "rank_in_county", "rank_in_township", "year", "period"]
    ordering = ["-year", "-period", "rank_in_county", "id"]

    def get_queryset(self):
        queryset = scope_for(self.request.user, self.base_queryset.all())
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "items", queryset=ScoreItem.objects.select_related("indicator").order_by("indicator__position")
                )
            )
        return queryset

    def get_serializer_class(self):
        return ScoreDetailSerializer if self.action == "retrieve" else ScoreSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="上次响应的 ETag"),
            OpenApiParameter(
                "If-Modified-Since", OpenApiTypes.STR, OpenApiParameter.HEADER, description="上次响应的 Last-Modified"
            ),
        ],
        responses={200: ScoreSerializer(many=True), 304: OpenApiResponse(description="数据未变（无响应体）")},
    )
    def list(self, request, *args, **kwargs):
        # A page of scores with ETag / Last-Modified (304 while nothing changed), served from lean
        # ``values()`` rows. Each page (per user, query and media type) is cached as two entries: its
        # validators (the county's scores generation it was made under, bumped after every write to
        # scores, its ETag and date: a few bytes, read with the generation in one round trip) and its
        # rendered bytes (read only to answer 200, from this process's copy when it has one). So a
        # polling client costs a few cache reads and no query, no unpickling of the page and no
        # rendering until something changes; a conditional request whose page has expired is
        # answered from the database and puts the page back in the cache.
        # (A comment, not a docstring: the OpenAPI description stays the class's Chinese one.)
        user = request.user
        page_id = (
            f"{user.pk}|{user.role}|{user.county_id}|{user.township_id}|{request.accepted_media_type}|"
            f"{request.build_absolute_uri()}"
        )
        page = hashlib.sha256(page_id.encode()).hexdigest()
        etag_key = f"api-scores-etag:{page}"
        generation, validators = services.scores_generation_with(user.county_id, etag_key)
        # Only JSON is cached as bytes; the browsable API's page carries the session's CSRF token.
        as_bytes = isinstance(request.accepted_renderer, JSONRenderer)
        if validators is not None:
            made_under, etag, last = _unpack(validators)
            if made_under == generation:
                if _not_modified(request, etag, last):
                    return Response(status=status.HTTP_304_NOT_MODIFIED, headers=_validators(etag, last))
                body = _cached_body(_body_key(page, generation, etag)) if as_bytes else None
                if body is not None:
                    return _json_response(body, _validators(etag, last))

        queryset = self.filter_queryset(self.get_queryset())
        stamp = queryset.aggregate(last=Max("updated_at"), n=Count("pk"))
        last = stamp["last"]
        version = f"{stamp['n']}|{last.isoformat() if last else ''}"
        etag = quote_etag(hashlib.sha256(f"{request.get_full_path()}|{version}".encode()).hexdigest()[:32])
        rows = self.paginate_queryset(KnownCount(score_values(queryset), stamp["n"]))
        data = self.get_paginated_response(score_rows(rows)).data
        headers = _validators(etag, last)
        if not as_bytes:
            return _not_modified_or(request, etag, last, Response(data, headers=headers))
        body = request.accepted_renderer.render(data, request.accepted_media_type, self.get_renderer_context())
        body_key = _body_key(page, generation, etag)
        _local_bodies.set(body_key, body)
        cache.set_many({etag_key: _pack(generation, etag, last), body_key: body}, settings.API_SCORES_CACHE_SECONDS)
        return _not_modified_or(request, etag, last, _json_response(body, headers))


# Rendered pages of the scores API kept in each process too (up to 32 MB), so a page polled again is
# not fetched from Redis: its key names the generation and the ETag it was made under, so a copy is
# never stale, and the ETag read from Redis on every request says which copy is current.
_local_bodies = LocalBytes(32 * 1024 * 1024)


def _body_key(page, generation, etag):
    return f"api-scores-body:{hashlib.sha256(f'{page}|{generation}|{etag}'.encode()).hexdigest()}"


def _cached_body(key):
    body = _local_bodies.get(key)
    if body is None:
        body = cache.get(key)
        if body is not None:
            _local_bodies.set(key, body)
    return body


def _pack(generation, etag, last):
    return f"{generation} {etag} {last.timestamp() if last is not None else ''}"


def _unpack(validators):
    generation, etag, timestamp = validators.split(" ", 2)
    return generation, etag, (datetime.datetime.fromtimestamp(float(timestamp), tz=datetime.UTC) if timestamp else None)


def _json_response(body, headers):
    # DRF's JSONRenderer declares no charset: the same Content-Type as a rendered Response.
    return HttpResponse(body, content_type=JSONRenderer.media_type, headers=headers)


def _not_modified_or(request, etag, last, response):
    if _not_modified(request, etag, last):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=_validators(etag, last))
    return response


def _validators(etag, last):
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if last is not None:
        headers["Last-Modified"] = http_date(last.timestamp())
    return headers


def _not_modified(request, etag, last):
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since and last is not None:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and int(last.timestamp()) <= since
    return False


class ScorecardThrottle(FixedWindowUserRateThrottle):
    """Per token (per client user): polling clients get their own budget, set by SCORECARD_RATE_LIMIT."""

    scope = "scorecards"


class ScorecardViewSet(ScoreViewSet):
    """记分卡：按期间、乡镇、对象、名次范围筛选；支持 ETag / Last-Modified，数据未变时返回 304。

    Clients poll cheaply: send back the ETag in If-None-Match (or the Last-Modified
    date in If-Modified-Since) and get 304 Not Modified until a run or an override
    changes what the query returns.
    """

    throttle_classes = [ScorecardThrottle]
