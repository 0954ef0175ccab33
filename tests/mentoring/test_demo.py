from __future__ import annotations

from accounts import demo as accounts_demo
from accounts.services import User, load_roles
from mentoring import demo, services
from mentoring.models import MentorProfile, Request, Session
from tierslieu.models import OutboxMail


async def test_demo_content_is_idempotent_sends_no_mail_and_ranks_thomas_request() -> None:
    await accounts_demo.run(lambda line: None)
    lines = await demo.run(lambda line: None)
    assert lines and lines[0].startswith("Mentoring:")
    assert await MentorProfile.all().count() == 6
    statuses = sorted(await Request.all().values_list("status", flat=True))
    assert statuses == ["active", "offered", "open"]
    counts = (await MentorProfile.all().count(), await Request.all().count(), await Session.all().count())
    await demo.run(lambda line: None)
    assert (await MentorProfile.all().count(), await Request.all().count(), await Session.all().count()) == counts
    assert not await OutboxMail.filter(kind__in=["mentoring", "notifications"]).exists()
    thomas = await load_roles(await User.get(email="thomas.girard@demo.tierslieu.fr"))
    request = await Request.get(mentee_id=thomas.id)
    found = await services.suggestions(thomas, request.id, "fr")
    # Fatou (Monday and Wednesday evenings in Dakar) and Jean-Pierre (mornings) are never free
    # with Thomas; Luc is on a break; Nadia's application waits
    assert [s.display_name for s in found] == ["Claire Martin", "Aminata Diallo"]
    assert found[0].reasons[0] == "parle français et anglais"
    assert found[0].reasons[2] == "libre le mardi soir et le jeudi soir"
    assert found[1].reasons[1] == "1 compétence sur 4 (Pédagogie)"
