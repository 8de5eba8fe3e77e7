"""Schemathesis hooks for .ci/api-fuzz: what the document cannot say.

The document states every rule about a field's own shape (formats, patterns, lengths,
enums, bounds). What remains depends on stored state or on another field: the parent an
action must sit under, the members an owner must be among, the notifications one may mark,
the objectives of the closed cycle, a start before a due date, `ids` or `all`. These hooks
put real ids (from the seeding step, passed in the environment) into generated bodies and
order what must be ordered, so generated requests reach the rules they are about instead of
stopping at a missing id. Each change is to one field's value, never to its shape, and a body of the wrong shape
(the negative phases) is left as generated.
"""

import os

import schemathesis

ENV = os.environ

KEY_RESULT_ONLY = ("measure", "metric_kind", "baseline", "target", "unit", "decimals")
ACTION_ONLY = ("action_status", "story_points")
OBJECTIVE_ONLY = ("outcome", "closing_note")


def _drop(body, fields):
    for field in fields:
        body.pop(field, None)


def _people(body):
    if isinstance(body.get("owner_user_id"), str):
        body["owner_user_id"] = ENV["FUZZ_USER_ID"]
    if isinstance(body.get("assignee_user_ids"), list) and body["assignee_user_ids"]:
        body["assignee_user_ids"] = [ENV["FUZZ_USER_ID"]]


def _ordered_dates(body, start, end):
    first, last = body.get(start), body.get(end)
    if isinstance(first, str) and isinstance(last, str) and first > last:
        body[start], body[end] = last, first


def new_item_in_its_place(body, path):
    if not isinstance(body, dict):
        return body
    if path.get("ws_id") != ENV["FUZZ_WS_ID"]:
        # A workspace met through a link (stateful phase) holds none of the seeded items or
        # people: a new item there is a top-level objective of the caller's.
        body["type"] = "objective"
        _drop(body, ("parent_id", "cycle_id", "owner_user_id", "assignee_user_ids"))
    kind = body.get("type")
    if kind == "objective":
        body.pop("parent_id", None)
        if body.get("cycle_id") is not None:
            body["cycle_id"] = ENV["FUZZ_ACTIVE_CYCLE_ID"]
        _drop(body, KEY_RESULT_ONLY + ACTION_ONLY)
    elif kind == "key_result":
        body["parent_id"] = ENV["FUZZ_OBJECTIVE_ID"]
        body.pop("cycle_id", None)
        _drop(body, ACTION_ONLY + ("metric_kind", "baseline", "target", "unit", "decimals"))
        if body.get("measure") == "metric":
            body["measure"] = "milestone"
    elif kind == "action":
        body["parent_id"] = ENV["FUZZ_ACTIONS_KEY_RESULT_ID"]
        body.pop("cycle_id", None)
        _drop(body, KEY_RESULT_ONLY + ("weight",))
    _people(body)
    _ordered_dates(body, "start_date", "due_date")
    return body


def item_change_in_its_place(body, path):
    # The fuzz's own action takes an action's fields; an item met through a link (stateful
    # phase) may be of any type, so it gets none of the fields only one type takes.
    if not isinstance(body, dict):
        return body
    _drop(body, KEY_RESULT_ONLY + OBJECTIVE_ONLY + ("weight", "cycle_id"))
    if path.get("item_id") == ENV["FUZZ_ACTION_ID"]:
        if "parent_id" in body:
            body["parent_id"] = ENV["FUZZ_ACTIONS_KEY_RESULT_ID"]
        _people(body)
    else:
        # Its workspace, parent and people are unknown here: those stay as they are.
        _drop(body, ACTION_ONLY + ("parent_id", "owner_user_id", "assignee_user_ids"))
    # One date alone would be checked against the other as stored.
    if ("start_date" in body) != ("due_date" in body):
        _drop(body, ("start_date", "due_date"))
    _ordered_dates(body, "start_date", "due_date")
    return body


def cycle_in_order(body, path):
    if isinstance(body, dict):
        _ordered_dates(body, "start_date", "end_date")
    return body


def workspace_with_an_address(body, path):
    # An address is derived from the name's letters and digits (two at least); a name with
    # fewer needs one of its own.
    # A slug of null is the same as none.
    if isinstance(body, dict) and body.get("slug") is None and isinstance(body.get("name"), str):
        name = body["name"]
        if sum(c.isascii() and c.isalnum() for c in name) < 2:
            body["slug"] = "fuzzed-" + str(abs(hash(name)) % 10**9)
    return body


def carry_over_real_objectives(body, path):
    if not isinstance(body, dict):
        return body
    body["to_cycle_id"] = ENV["FUZZ_ACTIVE_CYCLE_ID"]
    if body.get("all_unfinished"):
        body.pop("item_ids", None)
        body["workspace_id"] = ENV["FUZZ_WS_ID"]
    else:
        body.pop("all_unfinished", None)
        body["item_ids"] = [ENV["FUZZ_CLOSED_OBJECTIVE_ID"]]
        body.pop("workspace_id", None)
    return body


def own_notifications(body, path):
    if not isinstance(body, dict):
        return body
    if body.get("all"):
        body.pop("ids", None)
    else:
        body.pop("all", None)
        body["ids"] = [ENV["FUZZ_NOTIFICATION_ID"]]
    return body


def invite_into_a_real_workspace(body, path):
    if isinstance(body, dict) and isinstance(body.get("workspace_id"), str):
        body["workspace_id"] = ENV["FUZZ_WS_ID"]
    return body


REVENUE = ("revenue_amount", "revenue_currency", "revenue_period")
EMPLOYEES = ("employee_count_min", "employee_count_max")


def org_profile_whole(body, path):
    # Revenue is all three fields or none, and a headcount range goes from min to max; a
    # change naming only part of either would combine with stored values.
    if not isinstance(body, dict):
        return body
    sent = [body.get(field) for field in REVENUE if field in body]
    if sent and not (len(sent) == 3 and (all(v is None for v in sent) or all(v is not None for v in sent))):
        _drop(body, REVENUE)
    low, high = body.get("employee_count_min"), body.get("employee_count_max")
    if sum(field in body for field in EMPLOYEES) == 1:
        _drop(body, EMPLOYEES)
    elif isinstance(low, int) and isinstance(high, int) and low > high:
        body["employee_count_min"], body["employee_count_max"] = high, low
    return body


FIXES = {
    ("POST", "/api/v1/workspaces/{ws_id}/items"): new_item_in_its_place,
    ("PATCH", "/api/v1/items/{item_id}"): item_change_in_its_place,
    ("POST", "/api/v1/orgs/{org_id}/cycles"): cycle_in_order,
    ("POST", "/api/v1/orgs/{org_id}/workspaces"): workspace_with_an_address,
    ("POST", "/api/v1/cycles/{cycle_id}/carry-over"): carry_over_real_objectives,
    ("POST", "/api/v1/notifications/read"): own_notifications,
    ("POST", "/api/v1/orgs/{org_id}/invites"): invite_into_a_real_workspace,
    ("PATCH", "/api/v1/orgs/{org_id}"): org_profile_whole,
}


@schemathesis.hook
def before_call(ctx, case, kwargs):
    # Every phase sends through here (the coverage phase's cases skip the generation hooks).
    # Negative cases stay as generated: they are meant to be refused.
    meta = getattr(case, "_meta", None)
    if meta is not None and meta.generation.mode.value == "negative":
        return
    fix = FIXES.get((case.method.upper(), case.operation.path))
    if fix is not None and isinstance(case.body, dict):
        case.body = fix(case.body, case.path_parameters or {})
