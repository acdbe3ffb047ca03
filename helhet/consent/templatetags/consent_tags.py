"""{% expiring_consents %}: sharing consents expiring soon, for the coordinator's and KE's lists.

(The person page's sharing consents and grants are read by helhet.people.selectors.person_detail.)
"""

from django import template

register = template.Library()


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
