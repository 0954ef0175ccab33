"""Demo forum: realistic French questions and discussions about teaching SNT, NSI, Python and AI.

Runs after accounts.demo (which creates the demo people); running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from accounts.services import Role, User
from forum import notify, services
from forum.forms import CategoryIn, TopicIn
from forum.models import Category, Post, Topic
from notifications import services as notifications
from tierslieu import clock

MODERATOR = "moderation@demo.tierslieu.fr"

CATEGORIES = [
    ("Enseigner la SNT", "Sciences numériques et technologie en seconde : activités, progressions, évaluation.", None),
    ("Enseigner la NSI", "Numérique et sciences informatiques en première et terminale.", None),
    ("Projets de terminale", "Encadrer et évaluer les projets de NSI.", "Enseigner la NSI"),
    ("Python", "Le langage, les outils (Thonny, Capytale, Jupyter), les erreurs fréquentes des élèves.", None),
    ("IA et éducation", "Enseigner l'intelligence artificielle et enseigner avec elle.", None),
    ("Vie du tiers-lieu", "Ateliers, salles, entraide entre membres.", None),
]

# (category, author email, kind, title, body, tags, replies [(author, body)], accepted reply index or None)
TOPICS = [
    (
        "Enseigner la SNT",
        "membre@demo.tierslieu.fr",
        "question",
        "Comment introduire le thème « Internet » en SNT sans cours magistral ?",
        "Je suis professeure de SVT et j'enseigne la SNT pour la première fois. Mes élèves de seconde "
        "décrochent dès que je parle de protocole TCP/IP.\n\nAvez-vous une activité d'accroche qui marche ?",
        ["snt", "internet", "seconde"],
        [
            (
                "moderation@demo.tierslieu.fr",
                "L'activité débranchée « le jeu du routage » fonctionne très bien : chaque élève est un routeur, "
                "les paquets sont des enveloppes numérotées. On voit tout de suite pourquoi les paquets arrivent "
                "dans le désordre.",
            ),
            (
                "mentor@demo.tierslieu.fr",
                "Je complète : ensuite, une commande `traceroute` projetée au tableau fait le lien avec la réalité. "
                "Les élèves adorent voir le trajet jusqu'à un serveur au Sénégal.",
            ),
        ],
        0,
    ),
    (
        "Python",
        "membre@demo.tierslieu.fr",
        "question",
        "Mes élèves confondent = et == : des astuces ?",
        "À chaque contrôle, des `if x = 3:` partout. Comment leur faire retenir la différence entre "
        "l'affectation et la comparaison ?",
        ["python", "erreurs", "seconde"],
        [
            (
                "accueil@demo.tierslieu.fr",
                "Je fais lire le code à voix haute : `x = 3` se lit « x reçoit 3 », `x == 3` se lit « x est-il "
                "égal à 3 ? ». Au bout de deux semaines, l'erreur devient rare.",
            ),
            (
                "mentor@demo.tierslieu.fr",
                "Montrez aussi le message de Python :\n\n```python\n>>> if x = 3:\nSyntaxError: invalid syntax. "
                "Maybe you meant '==' or ':=' instead of '='?\n```\n\nApprendre à lire les erreurs est une "
                "compétence en soi.",
            ),
        ],
        0,
    ),
    (
        "Projets de terminale",
        "moderation@demo.tierslieu.fr",
        "discussion",
        "Partage : ma grille d'évaluation des projets de NSI",
        "Voici la grille que j'utilise depuis trois ans, en quatre critères : **cahier des charges**, "
        "**qualité du code**, **travail d'équipe**, **présentation orale**. Vos retours sont les bienvenus !",
        ["nsi", "projet", "evaluation"],
        [
            (
                "membre@demo.tierslieu.fr",
                "Merci ! Comptez-vous les tests unitaires dans la qualité du code ?",
            ),
            (
                "moderation@demo.tierslieu.fr",
                "Oui, avec `doctest` dès la première, puis `pytest` en terminale pour les plus avancés.",
            ),
        ],
        None,
    ),
    (
        "Enseigner la NSI",
        "mentor@demo.tierslieu.fr",
        "question",
        "Comment enseigner la récursivité en terminale ?",
        "Les élèves comprennent la factorielle récursive mais bloquent sur les arbres. Quelle progression "
        "proposez-vous ?",
        ["nsi", "recursivite", "terminale"],
        [
            (
                "moderation@demo.tierslieu.fr",
                "Passer par le dessin : les fractales avec `turtle` (arbre de Pythagore) rendent la pile d'appels "
                "visible. Ensuite seulement les arbres binaires.",
            ),
        ],
        0,
    ),
    (
        "IA et éducation",
        "animation@demo.tierslieu.fr",
        "discussion",
        "Faut-il autoriser les assistants d'IA pour les devoirs de programmation ?",
        "Nos élèves utilisent déjà des assistants conversationnels pour écrire du code. Interdire semble vain ; "
        "comment l'intégrer honnêtement dans l'évaluation ?",
        ["ia", "evaluation", "ethique"],
        [
            (
                "membre@demo.tierslieu.fr",
                "J'évalue désormais surtout à l'oral : l'élève explique son code ligne par ligne. S'il ne sait "
                "pas l'expliquer, ce n'est pas acquis, qu'il ait utilisé une IA ou non.",
            ),
            (
                "mentor@demo.tierslieu.fr",
                "Une séance sur les limites des modèles (erreurs, biais, hallucinations) change beaucoup le "
                "regard des élèves. @SophieLaurent, je peux partager mes supports.",
            ),
        ],
        None,
    ),
    (
        "IA et éducation",
        "membre@demo.tierslieu.fr",
        "question",
        "Une activité simple pour expliquer l'apprentissage automatique en SNT ?",
        "Je cherche une activité d'une heure, sans ordinateur si possible, pour montrer ce qu'est "
        "l'entraînement d'un modèle.",
        ["ia", "snt", "debranche"],
        [
            (
                "animation@demo.tierslieu.fr",
                "Le classement de photos de chats et de chiens par des critères que les élèves inventent, puis "
                "qu'on teste sur de nouvelles photos : on parle d'entraînement, de test et d'erreurs.",
            ),
        ],
        0,
    ),
]

# Shorter questions of the past months (same shape as TOPICS): the forum's history on the
# evaluation dashboard. Some are answered within hours, some after days, one not yet.
PAST_QUESTIONS = [
    (
        "Python",
        "membre@demo.tierslieu.fr",
        "question",
        "Thonny ou Capytale pour débuter en seconde ?",
        "Je dois choisir un environnement pour toute l'équipe. Lequel avez-vous retenu, et pourquoi ?",
        ["python", "outils"],
        [("mentor@demo.tierslieu.fr", "Capytale : rien à installer, et les activités se partagent entre collègues.")],
        0,
    ),
    (
        "Enseigner la NSI",
        "mentor@demo.tierslieu.fr",
        "question",
        "Une progression pour les graphes en terminale ?",
        "Dans quel ordre abordez-vous représentation, parcours et plus court chemin ?",
        ["nsi", "graphes"],
        [("animation@demo.tierslieu.fr", "Matrice d'adjacence, listes, puis parcours en largeur avant Dijkstra.")],
        None,
    ),
    (
        "Enseigner la SNT",
        "accueil@demo.tierslieu.fr",
        "question",
        "Quelle activité pour le thème « Photographie numérique » ?",
        "Je cherche une activité courte, faisable sur les téléphones des élèves.",
        ["snt", "photo"],
        [("membre@demo.tierslieu.fr", "Lire les métadonnées EXIF de leurs propres photos : effet garanti.")],
        0,
    ),
    (
        "IA et éducation",
        "membre@demo.tierslieu.fr",
        "question",
        "Comment évaluer un devoir quand l'IA générative est partout ?",
        "Mes élèves rendent des textes impeccables. Faut-il tout faire en classe ?",
        ["ia", "evaluation"],
        [
            ("moderation@demo.tierslieu.fr", "Évaluer la démarche : brouillons, oral court, questions sur le code."),
            ("mentor@demo.tierslieu.fr", "Et leur faire critiquer une réponse d'IA : c'est un bon exercice."),
        ],
        1,
    ),
    (
        "Projets de terminale",
        "animation@demo.tierslieu.fr",
        "question",
        "Combien de temps accorder au projet final ?",
        "Six semaines vous paraissent-elles raisonnables pour un projet en binôme ?",
        ["projet", "nsi"],
        [],
        None,
    ),
    (
        "Vie du tiers-lieu",
        "membre@demo.tierslieu.fr",
        "question",
        "Peut-on emprunter les cartes micro:bit pour la classe ?",
        "Pour une séance au lycée la semaine prochaine, une quinzaine de cartes suffiraient.",
        ["materiel"],
        [("espace@demo.tierslieu.fr", "Oui, demandez à l'accueil : le prêt est d'une semaine.")],
        0,
    ),
]


async def run(report: Callable[[str], None]) -> list[str]:
    people = {user.email: user for user in await User.filter(email__endswith="@demo.tierslieu.fr")}
    moderator = people.get(MODERATOR)
    if moderator is None:
        return ["Forum demo skipped: run the accounts demo first."]
    moderator.role_names = frozenset({Role.MEMBER, Role.MODERATOR})  # type: ignore[attr-defined]
    with notifications.without_mail():  # in-app only: no mail to demo addresses
        return await _fill(people, moderator, report)


# Days before today each demo topic was opened (by its place in TOPICS), and the hours its
# replies came after it: months of history for the evaluation dashboard.
AGES = (3, 11, 19, 26, 34, 45, 53, 61, 72, 80, 91, 99, 108, 117)
REPLY_HOURS = (1.5, 4, 9, 26, 2.5, 50)


async def _date_back(topic_id: int, index: int) -> None:
    opened = clock.now() - timedelta(days=AGES[index % len(AGES)], hours=index % 7)
    await Topic.filter(id=topic_id).update(created_at=opened, last_post_at=opened)
    posts = await Post.filter(topic_id=topic_id).order_by("number")
    moment = opened
    for post in posts:
        if post.number > 1:
            moment = moment + timedelta(hours=REPLY_HOURS[(index + post.number) % len(REPLY_HOURS)])
        await Post.filter(id=post.id).update(created_at=moment)
    await Topic.filter(id=topic_id).update(last_post_at=moment)


async def _fill(people: dict[str, User], moderator: User, report: Callable[[str], None]) -> list[str]:
    categories: dict[str, Category] = {}
    for name, description, parent_name in CATEGORIES:
        category = await Category.get_or_none(name=name)
        if category is None:
            parent = categories.get(parent_name) if parent_name else None
            data = CategoryIn(name=name, description=description, parent_id=parent.id if parent else None)
            category = await services.create_category(moderator, data)
        categories[name] = category
    created = 0
    for index, (category_name, email, kind, title, body, tags, replies, accepted) in enumerate(
        [*TOPICS, *PAST_QUESTIONS]
    ):
        author = people.get(email)
        if author is None or await Topic.exists(title=title):
            continue
        data = TopicIn(category_id=categories[category_name].id, title=title, body=body, kind=kind, tags=tags)
        topic = await services.create_topic(author, data)
        posts = []
        for reply_email, text in replies:
            replier = people.get(reply_email)
            if replier is not None:
                post, _ = await services.reply(replier, topic.id, text)
                posts.append(post)
        if accepted is not None and accepted < len(posts):
            await services.accept_answer(author, posts[accepted].id)
        await _date_back(topic.id, index)
        created += 1
        report(f"  forum: {title}")
    member = people.get("membre@demo.tierslieu.fr")
    if member is not None:
        await notify.watch_category(member, categories["Enseigner la SNT"])
    return [f"Forum: {len(categories)} categories, {created} new topics at /forum"]
