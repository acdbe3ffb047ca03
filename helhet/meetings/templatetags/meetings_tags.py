"""{% plan_group_links plan.id %}: the plan page's links to the plan group's meetings and messages, with the
number of upcoming meetings and of unread messages (helhet.meetings.selectors.group_summary)."""

from django import template

register = template.Library()


@register.inclusion_tag("meetings/_plan_link.html", takes_context=True)
def plan_group_links(context, plan_id):
    from helhet.meetings.selectors import group_summary

    request = context.get("request")
    user = getattr(request, "user", None)
    summary = group_summary(actor=user, plan_id=plan_id) if user is not None and user.is_authenticated else {"unread": 0, "upcoming": 0}
    return {"plan_id": plan_id, "summary": summary}
