"""What every client of the interop matrix calls, in order: the seed operations with what real clients send —
omitted optional arguments, nil and empty strings, no SOAP Header, non-ASCII text, and arrays of 0, 1, 2 and 3
distinct items in requests and answers."""

TICKET = "7T:matrixLiveTicket0123456789abcdef=="

TOGGLES = [{"Name": "Bjørn Ærø", "State": False}, {"Name": "beta.search", "State": True},
           {"Name": "Zürich – 東京", "State": True}]

# (operation, arguments, send the Credentials header)
CALLS = [
    ("ToggleFavourite", {"TableName": "contact", "RecordId": 42, "AssociateId": 7, "ExtraInfo": ""}, True),
    ("ToggleFavourite", {"TableName": "contact", "RecordId": 42, "AssociateId": 7, "ExtraInfo": ""}, True),
    ("ToggleFavourite", {"TableName": "Bjørn Ærø", "RecordId": 43, "AssociateId": None, "ExtraInfo": None}, False),
    ("ToggleErpConnectionActive", {"ErpConnectionId": 0}, True),
    ("ToggleErpConnectionActive", {"ErpConnectionId": 3}, True),
    ("ToggleErpConnectionActive", {"ErpConnectionId": 102}, False),
    ("ToggleErpConnectionActive", {"ErpConnectionId": 103}, True),
    ("UpdateFeatureToggles", {"FeatureToggles": []}, True),
    ("UpdateFeatureToggles", {"FeatureToggles": TOGGLES[:1]}, True),
    ("UpdateFeatureToggles", {"FeatureToggles": TOGGLES[:2]}, True),
    ("UpdateFeatureToggles", {"FeatureToggles": TOGGLES}, False),
]


def normalise(operation, value):
    """A client's answer as plain JSON: a boolean, a list of strings, or null."""
    if operation == "ToggleFavourite":
        return value if isinstance(value, bool) or value is None else bool(value)
    if operation == "ToggleErpConnectionActive":
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return [str(item) for item in value]
        items = getattr(value, "string", None)
        if items is None:
            try:
                items = value["string"]
            except (KeyError, TypeError):
                items = []
        return [str(item) for item in (items or [])]
    return None
