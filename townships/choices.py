from django.db import models
from django.utils.translation import gettext_lazy as _


class TownshipKind(models.TextChoices):
    TOWNSHIP = "township", _("乡")
    TOWN = "town", _("镇")
    SUBDISTRICT = "subdistrict", _("街道")


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县委组织部管理员")
    COUNTY_VIEWER = "county_viewer", _("县委组织部查看人员")
    TOWNSHIP_STAFF = "township_staff", _("乡镇党建办人员")
    API_CLIENT = "api_client", _("接口客户端（只读）")
    VILLAGE_STAFF = "village_staff", _("村党组织书记/村党建专干")


COUNTY_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_VIEWER, Role.API_CLIENT})


class AuditAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账户锁定")
    DENIED = "denied", _("拒绝访问")
    ROLE_CHANGED = "role_changed", _("变更角色或权限")
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DEACTIVATE = "deactivate", _("停用")
    REACTIVATE = "reactivate", _("恢复")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    REVEAL = "reveal", _("查看完整个人信息")
    VIEW_AMOUNT = "view_amount", _("查看报酬或补贴金额")
    SUBMIT = "submit", _("报送")
    APPROVE = "approve", _("审批")
    OVERRIDE = "override", _("人工调整")
    TOKEN_ISSUED = "token_issued", _("签发接口令牌")
    TOKEN_REVOKED = "token_revoked", _("吊销接口令牌")


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    MINUTES = "minutes", _("会议记录")


class MessageKind(models.TextChoices):
    """The in-app messages the base app sends itself: an import finished, a village entry awaiting
    review or decided. Other apps declare their own kinds and register them
    (townships.message_kinds)."""

    IMPORT_FINISHED = "import_finished", _("导入完成")
    ENTRY_PENDING = "entry_pending", _("村级填报待审核")
    ENTRY_APPROVED = "entry_approved", _("村级填报审核通过")
    ENTRY_RETURNED = "entry_returned", _("村级填报被退回")


class EntryStatus(models.TextChoices):
    """Where a village login's entry stands in the township's review (村级填报审核). Every kind of
    village entry (meetings, commitment progress, survey tallies) keeps these values in its ``status``."""

    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")
