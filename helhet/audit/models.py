"""The append-only, hash-chained audit log (who, role, organisation, when, what, whose data, why)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One event in the append-only, hash-chained log.

    Append-only in the database (migration 0003_append_only_triggers): a
    trigger refuses every UPDATE and DELETE on this table, on PostgreSQL and
    SQLite, whatever code or SQL issues it. Rows are only ever INSERTed by
    helhet.audit.services.record().

    The one deliberate opening is for tests on SQLite: Django's flush between
    transactional tests is `DELETE FROM audit_auditevent` there, so the SQLite
    DELETE trigger lets a delete through while the connection-level SQL function
    helhet_audit_flush_permitted() returns 1 -- only inside
    helhet.audit.db.allow_test_flush(), which only test teardown enters
    (helhet.audit.testing, imported by tests/conftest.py). On PostgreSQL the
    flush is TRUNCATE, which row-level triggers do not see; nothing is opened.

    Tamper evidence on top: each tenant has its own chain (`chain`: the
    person's home municipality, else the actor's organisation, else 0) with a
    sequence number `seq` (1, 2, ... without gaps); `hash` is an HMAC-SHA256
    (key `key_id`, held outside the database: helhet.audit.keys) over every
    stored field including `prev_hash`, the previous event of the same chain
    (services.event_digest). AuditCheckpoint signs each chain's head
    regularly; `manage.py audit_verify` recomputes every chain and checks that
    it still reaches its latest checkpoint.

    On PostgreSQL the table is PARTITIONED BY RANGE (at), one partition a month plus a DEFAULT one (migration
    0006, helhet.audit.partitions, `manage.py audit_partitions`); Django's model state is unchanged and is what
    SQLite has. On PostgreSQL the primary key is (id, at) (it must contain the partition key; ids come only from the
    sequence, and no foreign key points here), and `audit_chain_seq` is a plain (chain, seq) index in every
    partition plus a BEFORE INSERT trigger that refuses a (chain, seq) present in any partition, under the
    same per-chain lock as record(). A schema migration of this model must write its PostgreSQL DDL for that
    layout (Django would try to drop the unique constraint, for instance).

    Events written before migration 0005 have `seq` NULL and an empty
    `key_id`: the legacy chain, one unkeyed SHA-256 chain in id order
    (services.legacy_digest), sealed once by 0005 with a checkpoint of chain
    keys.LEGACY_CHAIN.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("lest")
        CREATE = "create", _("opprettet")
        UPDATE = "update", _("endret")
        DELETE = "delete", _("slettet")
        DENIED = "denied", _("nektet tilgang")
        LOGIN = "login", _("logget inn")
        LOGOUT = "logout", _("logget ut")
        LOGIN_FAILED = "login_failed", _("mislykket innlogging")
        EXPORT = "export", _("eksportert")

    at = models.DateTimeField(_("tidspunkt"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    actor_role = models.CharField(max_length=50, blank=True)
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    reason = models.CharField(_("grunnlag"), max_length=100, blank=True)
    summary = models.CharField(_("hva"), max_length=300, blank=True)
    # The message id (bokmål, marked with gettext_noop) and its parameters: rendered in the reader's language (text).
    code = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # The information categories (helhet.consent.categories codes) a partly withheld read left out, in the
    # order the writer gave them; empty for a whole read. Shown by helhet.audit.selectors.event_text.
    withheld = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    # The tenant's chain and this event's place in it (services.record); NULL seq: a legacy event (before 0005).
    chain = models.BigIntegerField(default=0)
    seq = models.BigIntegerField(null=True, blank=True)
    # Which key signed `hash` (settings.HELHET_AUDIT_KEY_ID then; older keys in HELHET_AUDIT_OLD_KEYS).
    key_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["id"]
        # One event per place in a chain: a race can never fork a chain (PostgreSQL: a trigger, see the docstring).
        # Its index serves record()'s "head of this chain" lookup and audit_verify's walk in (chain, seq) order
        # (PostgreSQL: a Merge Append of the partitions' index scans).
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]
        # The person's own access log and the KE's unusual-access report read by person and by actor.
        indexes = [
            models.Index(fields=["person", "at"], name="audit_person_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"

    @property
    def text(self) -> str:
        """What happened, in the current (reader's) language; events from before `code` existed show `summary`."""
        if not self.code:
            return self.summary
        return render(self.code, self.params, fallback=self.summary)

    @property
    def actor_role_label(self) -> str:
        """The role in the reader's language (organizations.Role; "system" for a system client's reads, "bench" for
        benchmark events), or the stored code if it is none of them."""
        from helhet.organizations.models import Role

        try:
            return str(Role(self.actor_role).label)
        except ValueError:
            return str(OTHER_ROLES[self.actor_role]) if self.actor_role in OTHER_ROLES else self.actor_role


# Roles an event can name that are not a person's membership role.
OTHER_ROLES = {"system": _("Fagsystem"), "bench": _("Ytelsestest")}


TRANSLATED_PARAMS = "_translated"  # params key: the parameters that are message ids (labels), comma-separated


def render(code: str, params: dict | None, *, fallback: str) -> str:
    """An event's message in the current language: the message id translated, its label parameters too."""
    from django.utils.translation import gettext

    params = dict(params or {})
    for key in filter(None, params.pop(TRANSLATED_PARAMS, "").split(",")):
        if key in params:
            params[key] = gettext(params[key])
    try:
        return gettext(code) % params if params else gettext(code)
    except (KeyError, TypeError, ValueError):  # a text with a stray "%": shown as written, never fails
        return fallback


class AuditCheckpoint(models.Model):
    """A signed note of one chain's head: "chain `chain` had `seq` events ending in `head_hash` at `at`".

    Written by `manage.py audit_checkpoint` (the reminder worker runs it every loop); append-only in the
    database like AuditEvent (migration 0005: UPDATE and DELETE refused, on SQLite also INSERT OR REPLACE).
    `mac` is an HMAC (key `key_id`, helhet.audit.keys.checkpoint_mac) over chain, seq, head_hash, at and
    key_id, so nobody without the key can write a checkpoint that audit_verify accepts. audit_verify
    requires every chain to reach its latest checkpoint's seq with the same hash there: deleting the
    newest events, a TRUNCATE or a rewritten tail is then visible. chain keys.LEGACY_CHAIN is the seal
    over the pre-0005 events.
    """

    chain = models.BigIntegerField()
    seq = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    key_id = models.CharField(max_length=32)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        # One checkpoint per chain head (two workers at once: the second is ignored); its index serves
        # audit_checkpoint's "latest checkpoint of this chain" lookup.
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_checkpoint_chain_seq")]

    def __str__(self):
        return f"checkpoint chain={self.chain} seq={self.seq} at={self.at:%Y-%m-%d %H:%M}"


class AuditArchiveMark(models.Model):
    """A signed note that one chain's oldest events were archived: "chain `chain` archived up to `seq`, whose hash is
    `head_hash`, with partition `partition`, at `at`" (issue 14; `manage.py audit_archive`, docs/operations.md
    "Audit partitions").

    Written by audit_archive in the transaction that DETACHes the month partition, after it verified the events
    there, so a mark exists exactly when its partition left the live table. audit_verify then accepts a chain whose
    first live event is seq+1 with prev_hash == head_hash; without a valid mark such a gap is deleted evidence.
    `mac` is an HMAC (key `key_id`, helhet.audit.verify.archive_mark_mac) over every field but the id, so nobody
    without the key can write a mark that audit_verify accepts. Append-only like AuditCheckpoint (migration 0007).

    A model of its own rather than a kind of AuditCheckpoint: a checkpoint says "the chain must reach seq", a mark
    "the chain may start after seq"; both can name the same (chain, seq), which AuditCheckpoint's unique constraint
    and its readers (audit_checkpoint's "latest checkpoint") would confuse; and a checkpoint's signed payload must
    not change (every stored MAC depends on it), while a mark signs one more field, the partition.
    """

    chain = models.BigIntegerField()
    seq = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    partition = models.CharField(max_length=63)
    at = models.DateTimeField()
    key_id = models.CharField(max_length=32)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_archivemark_chain_seq")]

    def __str__(self):
        return f"archive mark chain={self.chain} seq={self.seq} partition={self.partition}"
