"""WTForms fields for money amounts."""

from typing import Any

from wtforms import StringField

from core.money import MAX_FEN, MoneyError, parse_amount, to_decimal_string


class MoneyField(StringField):
    """Text input whose `.data` is int fen, parsed with `parse_amount`.

    Empty input is an error like any other parse failure; wrap the field with
    `Optional()` to allow leaving it blank (data is then None).
    """

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        max_fen: int = MAX_FEN,
        allow_zero: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.max_fen = max_fen
        self.allow_zero = allow_zero

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = parse_amount(valuelist[0], max_fen=self.max_fen, allow_zero=self.allow_zero)
        except MoneyError as exc:
            self.data = None
            raise ValueError(str(exc.message)) from exc

    def _value(self) -> str:
        # Re-display what the user typed (even if invalid) before the stored value.
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else to_decimal_string(self.data)
