from .views import (
    DutyReviewViewSet,
    HonourViewSet,
    MonthlyReportViewSet,
    PayLineViewSet,
    PayPeriodViewSet,
    SchemeViewSet,
    ScorecardViewSet,
    ScoreViewSet,
    ScoringRunViewSet,
    SurveyViewSet,
    TalkViewSet,
)

# Registered on the one /api/v1/ router in config/api_urls.py.
routes = [
    ("schemes", SchemeViewSet, "scheme"),
    ("reports", MonthlyReportViewSet, "report"),
    ("runs", ScoringRunViewSet, "run"),
    ("scores", ScoreViewSet, "score"),
    ("scorecards", ScorecardViewSet, "scorecard"),
    ("surveys", SurveyViewSet, "survey"),
    ("talks", TalkViewSet, "talk"),
    ("duty-reviews", DutyReviewViewSet, "duty-review"),
    ("pay-periods", PayPeriodViewSet, "pay-period"),
    ("pay-lines", PayLineViewSet, "pay-line"),
    ("honours", HonourViewSet, "honour"),
]
