"""{% sharing_and_grants person allowed %}: the person page's sharing consents and personal access grants.

An inclusion tag so the person page (helhet/people) needs no change in its selector: a fixed number of
queries (sharing consents with recipients: 3; grants: 1), only for those who record consent (KE, coordinator),
since a consent's exclusions name what must not be shared.
"""

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("consent/_person_sharing.html", takes_context=True)
def sharing_and_grants(context, person, allowed):
    from helhet.access.models import AccessGrant
    from helhet.access.selectors import STATE_LABELS, grant_state
    from helhet.consent.models import Consent

    may_record = "consent.record" in allowed
    may_grant = "grant.manage" in allowed
    today = timezone.localdate()
    sharing, grants = [], []
    if may_record:
        sharing = list(Consent.objects.filter(person=person, kind=Consent.Kind.SHARING)
                       .prefetch_related("recipient_users", "recipient_units").order_by("-given_on", "-id"))
        for c in sharing:
            c.state = "withdrawn" if c.withdrawn_on and c.withdrawn_on <= today else ("valid" if c.valid_on(today) else
                                                                                      ("expired" if c.valid_to and c.valid_to < today else "pending"))
    if may_grant:
        grants = list(AccessGrant.objects.filter(person=person).select_related("grantee", "consent").order_by("-valid_from", "-id"))
        for g in grants:
            g.state = grant_state(g, today)
            g.state_label = STATE_LABELS[g.state]
    return {"person": person, "sharing": sharing, "grants": grants, "may_record": may_record, "may_grant": may_grant, "today": today}


@register.inclusion_tag("consent/_expiring.html", takes_context=True)
def expiring_consents(context):
    """Sharing consents expiring within 30 days, and expired ones, for persons the user records consent for (their
    coordinator's persons; the KE's tenant's persons). Two queries, whatever the number of persons."""
    from helhet.access.policy import Action
    from helhet.access.queries import visible_persons_q
    from helhet.consent.selectors import EXPIRY_WARNING_DAYS
    from helhet.consent.selectors import expiring_consents as select
    from helhet.people.models import Person

    user = context["request"].user
    persons = Person.objects.filter(visible_persons_q(user, action=Action.CONSENT_RECORD)).values("pk")
    expiring, expired = select(person_ids=persons)
    return {"expiring": expiring, "expired": expired, "count": len(expiring) + len(expired), "days": EXPIRY_WARNING_DAYS}
