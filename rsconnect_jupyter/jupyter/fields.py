"""Validate the JSON bodies the browser sends: each wrong or missing field is one clear sentence."""


class InvalidField(ValueError):
    """str() is the sentence the dialog shows (sent with a 400)."""


_MISSING = object()


class Fields:
    def __init__(self, body):
        if not isinstance(body, dict):
            raise InvalidField("The request body must be a JSON object.")
        self.body = body

    def _get(self, name, required, default):
        value = self.body.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise InvalidField("The field %r is missing." % name)
            return _MISSING if default is _MISSING else default
        return value

    def string(self, name, required=True, default=None, choices=None, max_length=4096):
        value = self._get(name, required, default)
        if value is default and not required:
            return value
        if not isinstance(value, str):
            raise InvalidField("The field %r must be a string." % name)
        value = value.strip()
        if required and not value:
            raise InvalidField("The field %r must not be empty." % name)
        if len(value) > max_length:
            raise InvalidField("The field %r is too long." % name)
        if choices is not None and value not in choices:
            raise InvalidField("The field %r must be one of: %s." % (name, ", ".join(sorted(choices))))
        return value

    def boolean(self, name, default=False):
        value = self._get(name, False, default)
        if not isinstance(value, bool):
            raise InvalidField("The field %r must be true or false." % name)
        return value

    def string_list(self, name):
        value = self._get(name, False, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidField("The field %r must be a list of strings." % name)
        return value

    def string_map(self, name):
        value = self._get(name, False, {})
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()):
            raise InvalidField("The field %r must map names to string values." % name)
        return value

    def object(self, name, required=False):
        value = self._get(name, required, None)
        if value is not None and not isinstance(value, dict):
            raise InvalidField("The field %r must be a JSON object." % name)
        return value
