"""supabase-py's realtime client (the PyPI `realtime` package, pinned) against
ghlsync: a private channel receives INSERT, UPDATE and DELETE for a contact
created, changed and deleted in the sandbox (GHL), each exactly once however
many syncs see it, and a later join replays the last ones with Supabase's
`broadcast.replay`; presence works between two users of one source and is
refused to a user without it.
"""

import asyncio
import re
import time

from realtime import AsyncRealtimeClient, RealtimeSubscribeStates

from test_realtime_interop import TIMEOUT, Running, ghlsync, http


def private(key=""):
    return {"config": {"broadcast": {"ack": False, "self": False},
                       "presence": {"key": key, "enabled": bool(key)}, "private": True}}


class World:
    """Sandbox with two locations, `serve` over sources A and B; Alice and Bob
    on A (Alice may sync), Mallory on B only."""

    def __init__(self, tmp_path):
        self.db = str(tmp_path / "ghl.sqlite")
        token = "sandbox-interop-token"
        self.env = {"GHL_TOKEN": token}
        self.token = token
        ghlsync("init", "--db", self.db)
        self.sandbox = Running(["sandbox", "--port", "0", "--locations", "2", "--token", token, "--contacts", "20",
                                "--opportunities", "5", "--orders", "5", "--transactions", "5", "--reviews", "5"],
                               r"listening on (http://127\.0\.0\.1:\d+)")
        self.server = None
        self.api = self.sandbox.match.group(1)
        self.locations = [re.match(r"location (\S+) token", l).group(1)
                          for l in self.sandbox.lines if l.startswith("location ")]
        self.a, self.b = (ghlsync("sources", "add", "--db", self.db, "--name", f"L{i}", "--location-id", loc,
                                  "--api-base", self.api, "--token-env", "GHL_TOKEN")[-1]
                          for i, loc in enumerate(self.locations))
        grants = {"alice": (self.a, "editor"), "bob": (self.a, "viewer"), "mallory": (self.b, "viewer")}
        for user, (source, role) in grants.items():
            ghlsync("users", "add", "--db", self.db, "--email", f"{user}@example.com")
            ghlsync("users", "grant", "--db", self.db, "--user", f"{user}@example.com", "--source", source, "--role", role)
        self.server = Running(["serve", "--db", self.db, "--port", "0"], r"dashboard (http://127\.0\.0\.1:\d+)/",
                              env=self.env)
        self.base = self.server.match.group(1)
        self.tokens = {user: ghlsync("users", "token", "--db", self.db, "--user", f"{user}@example.com")[-1]
                       for user in grants}

    def sync(self):
        result = http(self.base, self.tokens["alice"], "POST", "/functions/v1/run-ghl-all",
                      {"source_id": self.a, "mode": "full"})
        assert result["ok"] is True, result

    def contacts_url(self, contact_id=""):
        return f"/_sandbox/records/{self.locations[0]}/contacts" + (f"/{contact_id}" if contact_id else "")

    def stop(self):
        if self.server:
            self.server.stop()
        self.sandbox.stop()


def client(world, user):
    return AsyncRealtimeClient(f"{world.base}/realtime/v1", token=world.tokens[user], auto_reconnect=False)


def test_insert_update_delete_each_exactly_once(tmp_path):
    world = World(tmp_path)
    try:
        world.sync()

        async def scenario():
            alice = client(world, "alice")
            await alice.connect()
            try:
                received = asyncio.Queue()
                channel = alice.channel(f"ghl:{world.a}", private())
                for event in ("INSERT", "UPDATE", "DELETE"):
                    channel.on_broadcast(event, received.put_nowait)
                states = []
                await channel.subscribe(lambda state, error: states.append(state))
                assert states == [RealtimeSubscribeStates.SUBSCRIBED]
                run = asyncio.get_running_loop().run_in_executor

                def changes():
                    # Each change in GHL, then two full syncs: the second finds nothing new.
                    created = http(world.api, world.token, "POST", world.contacts_url(),
                                   {"firstName": "Interop", "lastName": "Created"})
                    world.sync(); world.sync()
                    http(world.api, world.token, "PATCH", world.contacts_url(created["id"]), {"lastName": "Updated"})
                    world.sync(); world.sync()
                    http(world.api, world.token, "DELETE", world.contacts_url(created["id"]))
                    world.sync(); world.sync()
                    # A last change: everything before it has arrived when it does.
                    marker = http(world.api, world.token, "GET", world.contacts_url())[0]
                    http(world.api, world.token, "PATCH", world.contacts_url(marker["id"]), {"lastName": "Marker"})
                    world.sync()
                    return created["id"], marker["id"]

                started = int(time.time() * 1000)
                created, marker = await run(None, changes)
                seen = []
                while True:
                    message = await asyncio.wait_for(received.get(), TIMEOUT)
                    change = message["payload"]
                    assert change["source_id"] == world.a
                    if change["table"] != "ghl_contacts":
                        continue
                    row = change["new"] or change["old"]
                    if row["ghl_contact_id"] == marker:
                        break
                    seen.append((message["event"], change))
                mine = [(event, change) for event, change in seen if (change["new"] or change["old"])["ghl_contact_id"] == created]
                assert [event for event, change in mine] == ["INSERT", "UPDATE", "DELETE"], [(e, c["operation"]) for e, c in seen]
                insert, update, delete = [change for event, change in mine]
                assert insert["old"] is None and insert["new"]["raw"]["lastName"] == "Created"
                assert update["old"]["raw"]["lastName"] == "Created" and update["new"]["raw"]["lastName"] == "Updated"
                assert delete["new"] is None and delete["old"]["ghl_contact_id"] == created
                assert all(change["operation"] == event for event, change in seen)
                seqs = [change["seq"] for event, change in seen]
                assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

                # Supabase's replay option: Bob joins later and gets the last 3 events since the start, marked replayed.
                bob = client(world, "bob")
                await bob.connect()
                try:
                    replayed = asyncio.Queue()
                    late = bob.channel(f"ghl:{world.a}", {"config": {**private()["config"], "broadcast": {
                        "ack": False, "self": False, "replay": {"since": started, "limit": 3}}}})
                    for event in ("INSERT", "UPDATE", "DELETE"):
                        late.on_broadcast(event, replayed.put_nowait)
                    await late.subscribe()
                    got = [await asyncio.wait_for(replayed.get(), TIMEOUT) for _ in range(3)]
                    assert all(message.get("meta", {}).get("replayed") is True for message in got)
                    assert all(message["payload"]["source_id"] == world.a for message in got)
                    replayed_seqs = [message["payload"]["seq"] for message in got]
                    assert replayed_seqs == sorted(replayed_seqs) and replayed_seqs[-1] >= seqs[-1]
                finally:
                    await bob.close()
            finally:
                await alice.close()

        asyncio.run(scenario())
    finally:
        world.stop()


def test_presence_between_users_of_one_source_and_refused_without_it(tmp_path):
    world = World(tmp_path)
    try:
        async def scenario():
            alice, bob, mallory = client(world, "alice"), client(world, "bob"), client(world, "mallory")
            for c in (alice, bob, mallory):
                await c.connect()
            try:
                synced = {"alice": asyncio.Event(), "bob": asyncio.Event()}
                channels = {}
                for name, c in (("alice", alice), ("bob", bob)):
                    channel = c.channel(f"ghl:{world.a}", private(name))
                    channel.on_presence_sync(lambda name=name: synced[name].set())
                    states = []
                    await channel.subscribe(lambda state, error, states=states: states.append(state))
                    assert states == [RealtimeSubscribeStates.SUBSCRIBED]
                    channels[name] = channel

                async def until(name, predicate):
                    while not predicate(channels[name].presence_state()):
                        synced[name].clear()
                        await asyncio.wait_for(synced[name].wait(), TIMEOUT)

                await channels["alice"].track({"viewing": "contacts"})
                await channels["bob"].track({"viewing": "pipeline"})
                both = lambda state: {"alice", "bob"} <= set(state)
                await until("alice", both)
                await until("bob", both)
                assert channels["bob"].presence_state()["alice"][0]["viewing"] == "contacts"
                assert channels["alice"].presence_state()["bob"][0]["viewing"] == "pipeline"

                # Mallory holds only B: she cannot join A, and B's channel shows her nothing of A.
                refused = mallory.channel(f"ghl:{world.a}", private("mallory"))
                errors = []
                await refused.subscribe(lambda state, error: errors.append((state, error)))
                assert errors[0][0] == RealtimeSubscribeStates.CHANNEL_ERROR and "Unauthorized" in str(errors[0][1])
                own = mallory.channel(f"ghl:{world.b}", private("mallory"))
                mallory_synced = asyncio.Event()
                own.on_presence_sync(mallory_synced.set)
                await own.subscribe()
                await asyncio.wait_for(mallory_synced.wait(), TIMEOUT)
                await own.track({"viewing": "reviews"})
                await asyncio.wait_for(own_has(own, "mallory", mallory_synced), TIMEOUT)
                assert set(own.presence_state()) == {"mallory"}

                # Bob untracks: Alice sees him leave, and Mallory's presence never showed on A.
                await channels["bob"].untrack()
                await until("alice", lambda state: "bob" not in state)
                assert set(channels["alice"].presence_state()) == {"alice"}
            finally:
                for c in (alice, bob, mallory):
                    await c.close()

        asyncio.run(scenario())
    finally:
        world.stop()


async def own_has(channel, key, event):
    while key not in channel.presence_state():
        event.clear()
        await event.wait()
