from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        label="權杖名稱",
        max_length=100,
        help_text="寫下用途，例如「教育部管考系統介接」，日後才認得出是哪一把",
        error_messages={"required": "請為權杖命名", "max_length": "權杖名稱請在 100 字以內"},
    )
