"""The kinds of in-app message (站内消息): the mechanism. Each app declares the kinds it sends as
TextChoices in its own choices.py and registers them from its AppConfig.ready
(``register_message_kinds``); ``Message.kind`` takes its choices from here, so a message shows its
kind's label whichever app sent it."""

# value -> label, in registration order
KINDS = {}


def register_message_kinds(*kinds):
    """Add an app's message kinds (TextChoices classes) to the registry; a value is registered once."""
    values = [value for choices in kinds for value in choices.values]
    for value in values:
        if value in KINDS or values.count(value) > 1:
            raise ValueError(f"message kind {value} is registered twice")
    for choices in kinds:
        KINDS.update(choices.choices)


def message_kind_choices():
    """The choices of ``Message.kind``: every registered kind (a callable, so the model's field sees
    the kinds the apps register after the model is defined)."""
    return list(KINDS.items())
