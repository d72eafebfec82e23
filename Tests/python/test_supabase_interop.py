"""The real supabase-py (PyPI: supabase, supabase_auth, postgrest) against
`ghlsync serve`, as a dashboard written for the Supabase original uses it.

A database is synced from `ghlsync sandbox` (two locations), with an owner of
both sources and a viewer of the first. Auth goes through the client's own
models (sign-in, get_user, refresh, sign-out, wrong password); every read of
the seven views goes through postgrest-py, and row counts are compared with
`ghlsync query --as` for the same user, which reads the same file through the
same row-level scope.
"""

import os

import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client
from supabase_auth.errors import AuthApiError

from test_realtime_interop import Running, ghlsync

VIEWS = ["v_ghl_contacts_recent", "v_ghl_opportunities_report", "v_ghl_pipeline_stage_summary",
         "v_ghl_revenue_summary", "v_ghl_reviews_summary", "v_ghl_sync_status", "v_ghl_dashboard_summary"]
OWNER = ("owner@example.com", "owner password 1")
VIEWER = ("viewer@example.com", "viewer password 1")


class Product:
    """A synced file served by `ghlsync serve`, with its two sources and users."""

    def __init__(self, tmp):
        self.db = str(tmp / "ghl.sqlite")
        token = "sandbox-supabase-token"
        env = {"GHL_TOKEN": token, "OWNER_PASSWORD": OWNER[1], "VIEWER_PASSWORD": VIEWER[1]}
        ghlsync("init", "--db", self.db)
        self.sandbox = Running(["sandbox", "--port", "0", "--locations", "2", "--token", token],
                               r"listening on (http://127\.0\.0\.1:\d+)")
        self.server = None
        try:
            api = self.sandbox.match.group(1)
            locations = [line.split()[1] for line in self.sandbox.lines if line.startswith("location ")]
            self.sources = [ghlsync("sources", "add", "--db", self.db, "--name", f"L{i}", "--location-id", loc,
                                    "--api-base", api, "--token-env", "GHL_TOKEN")[-1]
                            for i, loc in enumerate(locations)]
            for source in self.sources:
                ghlsync("sync", "--db", self.db, "--source", source, "--mode", "full", env=env)
            ghlsync("users", "add", "--db", self.db, "--email", OWNER[0], "--password-env", "OWNER_PASSWORD", env=env)
            ghlsync("users", "add", "--db", self.db, "--email", VIEWER[0], "--password-env", "VIEWER_PASSWORD", env=env)
            for source in self.sources:
                ghlsync("users", "grant", "--db", self.db, "--user", OWNER[0], "--source", source, "--role", "owner")
            ghlsync("users", "grant", "--db", self.db, "--user", VIEWER[0], "--source", self.sources[0], "--role", "viewer")
            self.server = Running(["serve", "--db", self.db, "--port", "0"], r"dashboard (http://127\.0\.0\.1:\d+)/", env=env)
            self.url = self.server.match.group(1)
        except BaseException:
            self.stop()
            raise

    def client(self, credentials=None):
        """A supabase-py client, signed in when `credentials` are given."""
        client = create_client(self.url, "anon-key-unused-by-ghlsync",
                               options=ClientOptions(auto_refresh_token=False, persist_session=False))
        if credentials:
            client.auth.sign_in_with_password({"email": credentials[0], "password": credentials[1]})
        return client

    def count_as(self, email, sql):
        """`SELECT count(*) ...` run by `ghlsync query --as`: the same scope, from the CLI."""
        return int(ghlsync("query", "--db", self.db, "--as", email, "--format", "csv", sql)[-1])

    def column_as(self, email, sql):
        return ghlsync("query", "--db", self.db, "--as", email, "--format", "csv", sql)[1:]

    def stop(self):
        if self.server:
            self.server.stop()
        self.sandbox.stop()


@pytest.fixture(scope="module")
def product(tmp_path_factory):
    running = Product(tmp_path_factory.mktemp("supabase"))
    yield running
    running.stop()


def test_auth_through_the_clients_models(product):
    client = product.client()
    signed_in = client.auth.sign_in_with_password({"email": VIEWER[0], "password": VIEWER[1]})
    session, user = signed_in.session, signed_in.user
    assert session.token_type == "bearer" and session.expires_in == 3600 and session.expires_at
    assert user.email == VIEWER[0] and user.aud == "authenticated" and user.role == "authenticated"
    assert user.user_metadata == {} and user.created_at and user.last_sign_in_at
    assert [(s["id"], s["role"]) for s in user.app_metadata["sources"]] == [(product.sources[0], "viewer")]

    fetched = client.auth.get_user().user
    assert fetched.id == user.id and fetched.email == VIEWER[0]
    assert fetched.app_metadata["sources"] == user.app_metadata["sources"]

    refreshed = client.auth.refresh_session().session
    assert refreshed.access_token and refreshed.refresh_token != session.refresh_token
    assert client.auth.get_user(refreshed.access_token).user.id == user.id

    client.auth.sign_out()
    for old in (session.refresh_token, refreshed.refresh_token):
        with pytest.raises(AuthApiError) as failed:
            client.auth.refresh_session(old)
        assert failed.value.status == 400 and failed.value.code == "refresh_token_not_found"
    with pytest.raises(AuthApiError) as failed:
        client.auth.get_user(refreshed.access_token)
    assert failed.value.status == 403

    with pytest.raises(AuthApiError) as wrong:
        product.client().auth.sign_in_with_password({"email": VIEWER[0], "password": "not the password"})
    assert wrong.value.status == 400 and wrong.value.code == "invalid_credentials"


def test_sign_out_scopes(product):
    first, second = product.client(VIEWER), product.client(VIEWER)
    kept = second.auth.get_session()
    first.auth.sign_out({"scope": "others"})
    assert first.auth.get_user() is not None
    with pytest.raises(AuthApiError):
        second.auth.refresh_session(kept.refresh_token)
    first.auth.sign_out({"scope": "local"})
    assert first.auth.get_session() is None


def test_every_view_counts_as_query_as(product):
    for credentials in (OWNER, VIEWER):
        client = product.client(credentials)
        for view in VIEWS:
            expected = product.count_as(credentials[0], f"SELECT count(*) FROM {view}")
            answer = client.table(view).select("*", count="exact").execute()
            assert answer.count == expected, (credentials[0], view)
            assert len(answer.data) == min(expected, 1000)
            head = client.table(view).select("*", count="exact", head=True).execute()
            assert head.count == expected and not head.data
            mine = client.table(view).select("source_id", count="exact").eq("source_id", product.sources[0]).execute()
            assert mine.count == product.count_as(credentials[0],
                                                  f"SELECT count(*) FROM {view} WHERE source_id = '{product.sources[0]}'")
            assert {row["source_id"] for row in mine.data} <= {product.sources[0]}
    # A source the viewer may not see reads nothing, as under row-level security.
    viewer = product.client(VIEWER)
    for view in VIEWS:
        other = viewer.table(view).select("*", count="exact").eq("source_id", product.sources[1]).execute()
        assert other.data == [] and other.count == 0


FILTERS = [
    # (postgrest-py call on v_ghl_contacts_recent, the same condition in SQLite)
    (lambda q: q.ilike("contact_name", "%ar%"), "contact_name LIKE '%ar%'"),
    (lambda q: q.ilike("contact_name", "*AR*"), "contact_name LIKE '%ar%'"),
    (lambda q: q.like("email", "%@%.com"), "email GLOB '*@*.com'"),
    (lambda q: q.like("contact_name", "_a%"), "contact_name GLOB '?a*'"),
    (lambda q: q.not_.ilike("contact_name", "%a%"), "NOT (contact_name LIKE '%a%')"),
    (lambda q: q.is_("phone", "null"), "phone IS NULL"),
    (lambda q: q.not_.is_("phone", "null"), "phone IS NOT NULL"),
    (lambda q: q.not_.is_("email", "null").neq("country", "US"), "email IS NOT NULL AND country <> 'US'"),
    (lambda q: q.gte("date_updated", "2024-01-01").lt("date_updated", "2025-06-01"),
     "date_updated >= '2024-01-01' AND date_updated < '2025-06-01'"),
    (lambda q: q.or_("email.ilike.%a%,phone.is.null"), "(email LIKE '%a%' OR phone IS NULL)"),
    (lambda q: q.or_("and(email.ilike.%a%,phone.not.is.null),contact_name.ilike.b%"),
     "((email LIKE '%a%' AND phone IS NOT NULL) OR contact_name LIKE 'b%')"),
    (lambda q: q.not_.or_("email.is.null,phone.is.null"), "NOT (email IS NULL OR phone IS NULL)"),
    (lambda q: q.filter("country", "isdistinct", "US"), "country IS NOT 'US'"),
]


def test_filters_match_the_same_condition_in_sqlite(product):
    client = product.client(OWNER)
    for index, (apply, condition) in enumerate(FILTERS):
        expected = product.count_as(OWNER[0], f"SELECT count(*) FROM v_ghl_contacts_recent WHERE {condition}")
        answer = apply(client.table("v_ghl_contacts_recent").select("*", count="exact")).execute()
        assert answer.count == expected, (index, condition)
    assert product.count_as(OWNER[0], f"SELECT count(*) FROM v_ghl_contacts_recent WHERE {FILTERS[0][1]}") > 0

    opportunities = client.table("v_ghl_opportunities_report")
    for op, symbol in [("eq", "="), ("neq", "<>"), ("gt", ">"), ("gte", ">="), ("lt", "<"), ("lte", "<=")]:
        answer = getattr(opportunities.select("*", count="exact"), op)("monetary_value", 2500).execute()
        assert answer.count == product.count_as(OWNER[0], f"SELECT count(*) FROM v_ghl_opportunities_report "
                                                          f"WHERE monetary_value {symbol} 2500"), op
        negated = getattr(opportunities.select("*", count="exact").not_, op)("monetary_value", 2500).execute()
        assert negated.count == product.count_as(OWNER[0], f"SELECT count(*) FROM v_ghl_opportunities_report "
                                                           f"WHERE NOT (monetary_value {symbol} 2500)"), op
    ids = [row["ghl_contact_id"] for row in client.table("v_ghl_contacts_recent").select("ghl_contact_id").limit(3).execute().data]
    chosen = client.table("v_ghl_contacts_recent").select("ghl_contact_id", count="exact").in_("ghl_contact_id", ids).execute()
    assert chosen.count == 3 and {row["ghl_contact_id"] for row in chosen.data} == set(ids)
    others = client.table("v_ghl_contacts_recent").select("*", count="exact").not_.in_("ghl_contact_id", ids).execute()
    assert others.count == product.count_as(OWNER[0], "SELECT count(*) FROM v_ghl_contacts_recent") - 3


def test_select_order_and_range(product):
    client = product.client(OWNER)
    page = (client.table("v_ghl_contacts_recent").select("id:ghl_contact_id,name:contact_name,phone")
            .order("phone", desc=True, nullsfirst=True).order("ghl_contact_id").range(5, 14).execute())
    assert [set(row) for row in page.data] == [{"id", "name", "phone"}] * 10
    expected = product.column_as(OWNER[0], "SELECT ghl_contact_id FROM v_ghl_contacts_recent "
                                           "ORDER BY phone DESC NULLS FIRST, ghl_contact_id LIMIT 10 OFFSET 5")
    assert [row["id"] for row in page.data] == expected
    nulls_last = client.table("v_ghl_contacts_recent").select("phone").order("phone", nullsfirst=False).execute()
    phones = [row["phone"] for row in nulls_last.data]
    assert phones[-1] is None and phones[0] is not None

    stages = client.table("v_ghl_pipeline_stage_summary").select("*").order("pipeline_name").order("stage_position", desc=True).execute()
    keys = [(row["pipeline_name"], -row["stage_position"]) for row in stages.data]
    assert keys == sorted(keys) and len(keys) > 1


def test_single_maybe_single_csv_and_errors(product):
    client = product.client(VIEWER)
    contacts = client.table("v_ghl_contacts_recent")
    some = contacts.select("ghl_contact_id").limit(1).execute().data[0]["ghl_contact_id"]
    one = contacts.select("ghl_contact_id,email").eq("ghl_contact_id", some).single().execute()
    assert one.data["ghl_contact_id"] == some and set(one.data) == {"ghl_contact_id", "email"}
    with pytest.raises(APIError) as many:
        contacts.select("*").single().execute()
    assert many.value.code == "PGRST116"
    with pytest.raises(APIError) as none:
        contacts.select("*").eq("ghl_contact_id", "no such contact").single().execute()
    assert none.value.code == "PGRST116"
    assert contacts.select("*").eq("ghl_contact_id", "no such contact").maybe_single().execute() is None
    assert contacts.select("*").eq("ghl_contact_id", some).maybe_single().execute().data["ghl_contact_id"] == some

    csv = contacts.select("ghl_contact_id,source_id").eq("ghl_contact_id", some).csv().execute()
    assert csv.data.splitlines() == ["ghl_contact_id,source_id", f"{some},{product.sources[0]}"]

    with pytest.raises(APIError) as unknown_column:
        contacts.select("password").execute()
    assert unknown_column.value.code == "42703"
    with pytest.raises(APIError) as unknown_view:
        client.table("users").select("*").execute()
    assert unknown_view.value.code == "PGRST205"
    with pytest.raises(APIError) as bad_filter:
        contacts.select("*").filter("email", "regexlike", "x").execute()
    assert bad_filter.value.code == "PGRST100"


def test_money_prints_as_numeric(product):
    client = product.client(OWNER)
    for row in client.table("v_ghl_dashboard_summary").select("*").execute().data:
        for column in ("open_pipeline_value", "won_revenue", "payments_total"):
            decimals = repr(row[column]).partition(".")[2]
            assert len(decimals) <= 2, (column, row[column])
