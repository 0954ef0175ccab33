from accounts import demo as accounts_demo
from forum import demo
from forum.models import Category, Post, Topic
from tierslieu.models import OutboxMail


async def test_demo_content_is_idempotent_and_sends_no_mail() -> None:
    await accounts_demo.run(lambda line: None)
    lines = await demo.run(lambda line: None)
    assert lines and "Forum" in lines[0]
    counts = (await Category.all().count(), await Topic.all().count(), await Post.all().count())
    assert counts[1] >= 6 and await Topic.filter(solved_post_id__not_isnull=True).count() >= 3
    await demo.run(lambda line: None)
    assert (await Category.all().count(), await Topic.all().count(), await Post.all().count()) == counts
    assert not await OutboxMail.filter(kind="notifications").exists()
