"""Names vulture takes for dead code that are used where it cannot see (``make lint``).

Each is read by name, by a framework or by a signature we must match; the Textual and
http.server conventions (``on_*``, ``action_*``, ``DEFAULT_CSS``...) are in pyproject.toml.
"""

# ruff: noqa
# __aexit__'s signature.
exc_info
# Checked by name: ConnectClient._require("supports_health", ...).
_.supports_health
# Fields of the REST answer's config definitions (parsed whole, kept for completeness).
importance
documentation
# Written to sandbox.json for whoever reads it (asdict).
started_at
_.started_at
# The sandbox Schema Registry's routes dispatch to handler methods by name.
_.schema_by_id
_.subjects_of_id
_.subject_list
_.subject_version
# socketserver's handle_error(request, client_address), replaced in the TLS tests.
client_address
# Textual signatures: Widget.check_action(action, parameters), get_content_height(...).
parameters
container
viewport
# Textual API: a message's control, Text.no_wrap, DataTable's private relayout flag.
_.control
_.no_wrap
_._require_update_dimensions
# Tests: fixtures requested for their side effect, a fake's signature, a server hook.
fresh_dead_letters
max_records
_.handle_error
# A theme file's fields, passed on to textual's Theme as keyword arguments (msgspec asdict).
_.primary
_.secondary
_.success
_.accent
_.surface
_.panel
_.boost
