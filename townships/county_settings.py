"""County-level settings ([setting] in DOMAIN.md): the mechanism. Each app defines the settings its
rules read, with the regulations' defaults, and registers them from its AppConfig.ready
(``register_settings``); the base app defines none of its own.

Rules read them through ``settings_for(county)``, one query for all keys; the
county administrator edits them on the settings page (audited). A literal in
rule code where a county setting exists is a bug.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CountySetting


@dataclass(frozen=True)
class SettingGroup:
    """A heading of the settings page. Several apps may put settings under one group; ``weight``
    places it among every app's groups (lighter first), so the page's order does not follow the
    order in which the apps happen to be loaded."""

    label: str
    weight: int

    def __str__(self):
        return str(self.label)


@dataclass(frozen=True)
class SettingDef:
    key: str
    group: SettingGroup
    label: str
    default: int | float
    minimum: int | float
    maximum: int | float
    unit: str = ""
    source: str = ""
    # Text settings: the allowed values ({value: label}); with ``ordered_list`` the value is a
    # comma-separated list of them in order (e.g. tie-break criteria).
    choices: dict | None = None
    ordered_list: bool = False

    def clean(self, raw):
        if self.choices is not None:
            return self._clean_choice(raw)
        try:
            value = type(self.default)(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("“%(label)s”必须是数字。") % {"label": self.label}) from None
        if not self.minimum <= value <= self.maximum:
            raise ValidationError(
                _("“%(label)s”应在 %(min)s 到 %(max)s 之间。")
                % {"label": self.label, "min": self.minimum, "max": self.maximum}
            )
        return value

    def _clean_choice(self, raw):
        allowed = "、".join(f"{k}（{v}）" for k, v in self.choices.items())
        text = str(raw or "").strip()
        items = [i.strip() for i in text.split(",") if i.strip()] if self.ordered_list else [text]
        unknown = [i for i in items if i not in self.choices]
        if unknown or not items:
            raise ValidationError(
                _("“%(label)s”中的“%(bad)s”不是可用的取值；可用：%(ok)s。")
                % {"label": self.label, "bad": "、".join(unknown) or text, "ok": allowed}
            )
        if len(set(items)) != len(items):
            raise ValidationError(_("“%(label)s”不能重复列出同一项。") % {"label": self.label})
        return ",".join(items)

    def display_choices(self):
        return self.choices or {}


# Every app's settings, in the order the settings page shows them: by group weight, and within a
# group in the order they were registered (``register_settings``, from each AppConfig.ready).
DEFINITIONS = []
BY_KEY = {}


def register_settings(*definitions):
    """Add an app's settings to the registry (from its AppConfig.ready); a key is registered once."""
    for definition in definitions:
        if definition.key in BY_KEY:
            raise ValueError(f"county setting {definition.key} is registered twice")
        BY_KEY[definition.key] = definition
        DEFINITIONS.append(definition)
    DEFINITIONS.sort(key=lambda definition: definition.group.weight)  # stable: keeps registration order


class CountySettings:
    """All settings of one county: stored values over the defaults."""

    def __init__(self, stored):
        self._stored = stored

    def __getitem__(self, key):
        definition = BY_KEY[key]
        if key in self._stored:
            if definition.choices is not None:
                return str(self._stored[key])
            return type(definition.default)(self._stored[key])
        return definition.default

    def is_default(self, key):
        return key not in self._stored


def settings_for(county_id):
    """One query for every stored setting of the county."""

    if county_id is None:
        return CountySettings({})
    return CountySettings(dict(CountySetting.objects.filter(county_id=county_id).values_list("key", "value")))
