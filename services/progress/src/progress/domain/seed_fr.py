"""The default learning path's texts in French, by module and milestone id.

Each entry gives the French wording of the text the platform ships in ``seed``; ``translations``
uses it only while a path still carries that shipped text.
"""

from __future__ import annotations

PATH_TITLE = "Accompagnement au réseau social d'entreprise"

MODULES: dict[str, tuple[str, str]] = {
    "purpose": (
        "Sens et stratégie",
        "Pourquoi l'entreprise fait cela, et ce que l'on attend de moi.",
    ),
    "community-rules": (
        "Règles et gouvernance des communautés",
        "Comment se comporter, animer et contribuer dans une communauté (savoir-être).",
    ),
    "digital-identity": (
        "Identité numérique professionnelle",
        "Profil, confidentialité, ce qu'on partage et ce qu'on garde pour soi.",
    ),
    "uses-for-my-job": (
        "Usages pour mon métier",
        "Les deux ou trois usages qui comptent dans mon travail quotidien.",
    ),
    "bringing-value": (
        "Apporter de la valeur aux échanges",
        "Demander, répondre, synthétiser et reconnaître les autres.",
    ),
    "knowing-the-limits": (
        "Connaître les limites",
        "Recul critique, temps et énergie, et quand ne pas utiliser les outils.",
    ),
}
"""Module id: (title, description)."""

MILESTONES: dict[str, tuple[str, str, str]] = {
    "explain-the-why": (
        "Expliquer pourquoi l'entreprise s'y engage",
        "Formuler avec vos propres mots les raisons métier du déploiement (trouver plus vite "
        "une expertise, décloisonner sites et équipes, moins de chaînes d'e-mails) et leur lien "
        "avec la stratégie de l'entreprise.",
        "Une courte synthèse, dix lignes au plus, ou une explication de deux minutes à votre "
        "mentor pendant une séance.",
    ),
    "clarify-expectations": (
        "Clarifier ce que l'on attend de vous",
        "Voir avec votre manager la participation attendue de vous et de votre équipe : "
        "quelles communautés, à quelle fréquence, et ce qui reste facultatif.",
        "Ce que vous avez convenu avec votre manager, partagé avec votre mentor.",
    ),
    "set-a-personal-goal": (
        "Se fixer un objectif personnel",
        "Choisir une chose concrète que le réseau doit changer dans votre travail d'ici trois "
        "mois, et comment vous saurez que c'est fait.",
        "L'objectif et son signe de réussite, écrits dans une note de point d'étape.",
    ),
    "know-the-charter": (
        "Connaître la charte d'utilisation",
        "Lire la charte d'utilisation et les règles des communautés, puis discuter avec votre "
        "mentor des deux règles qui vous ont le plus surpris et de leur raison d'être.",
        "Les deux règles et leurs raisons, notées après la discussion.",
    ),
    "handle-tricky-situations": (
        "Savoir réagir à une situation délicate",
        "Décider comment réagir à un message hors sujet, à un échange qui s'envenime et à une "
        "donnée confidentielle partagée par erreur : répondre en public, écrire en privé ou "
        "alerter l'animateur de la communauté.",
        "Votre réponse aux trois situations, discutée en séance.",
    ),
    "contribute-by-the-rules": (
        "Contribuer selon la raison d'être d'une communauté",
        "Publier ou répondre dans une communauté dont vous êtes membre, en respectant son "
        "objet et son ton : accueillir un nouveau venu, ou orienter une question au bon endroit.",
        "Un lien vers votre contribution.",
    ),
    "complete-the-profile": (
        "Compléter un profil professionnel",
        "Ajouter une photo, votre fonction, équipe et site, vos domaines d'expertise et les "
        "langues que vous parlez, pour que vos collègues vous trouvent pour ce que vous savez.",
        "Un lien vers votre profil, relu avec votre mentor.",
    ),
    "sort-what-to-share": (
        "Savoir ce qu'on partage et ce qu'on ne partage pas",
        "Classer des exemples réels : possible dans une communauté ouverte, seulement dans une "
        "communauté restreinte, seulement en message privé, jamais sur le réseau (données "
        "clients, sujets RH, résultats non publiés), selon la politique de confidentialité.",
        "Vos exemples classés, discutés en séance.",
    ),
    "tune-privacy-and-notifications": (
        "Régler confidentialité et notifications",
        "Vérifier qui voit votre profil et votre activité, et régler les notifications pour "
        "que le réseau vous informe sans vous interrompre toute la journée.",
        "Les réglages choisis et pourquoi, décrits dans une note de point d'étape.",
    ),
    "pick-my-uses": (
        "Choisir les usages utiles à votre métier",
        "Lister vos tâches récurrentes (partager une information, trouver un expert, "
        "coordonner un projet, suivre votre domaine) et en choisir deux ou trois où le réseau "
        "fait mieux que l'e-mail ou les réunions.",
        "Les usages choisis et, pour chacun, la tâche qu'il remplace ou améliore.",
    ),
    "practise-one-use": (
        "Mettre un usage en pratique sur un vrai travail",
        "Pendant au moins deux semaines, utiliser le réseau pour un vrai travail : suivre les "
        "nouvelles d'un projet dans un groupe plutôt que dans un fil d'e-mails, par exemple.",
        "Un lien vers le groupe ou le fil, et ce qui a changé pour vous et pour les autres.",
    ),
    "follow-useful-sources": (
        "Suivre les communautés qui nourrissent votre travail",
        "Suivre trois communautés ou personnes dont les contenus servent directement votre "
        "métier, et quitter celles qui ne sont que du bruit.",
        "Les trois que vous suivez, et une chose utile que vous en avez apprise.",
    ),
    "ask-in-the-open": (
        "Poser une question en public",
        "Poser une question de travail dans une communauté plutôt qu'en privé, avec assez de "
        "contexte pour que d'autres répondent et que les lecteurs suivants en profitent.",
        "Un lien vers la question et les réponses reçues.",
    ),
    "answer-or-summarise": (
        "Répondre à une question ou synthétiser une discussion",
        "Partager ce que vous savez en répondant à la question d'un collègue, ou écrire la "
        "synthèse d'un long fil avec ses conclusions et ses points ouverts.",
        "Un lien vers votre réponse ou votre synthèse.",
    ),
    "recognise-a-colleague": (
        "Reconnaître la contribution d'un collègue",
        "Remercier ou citer en public quelqu'un dont le message vous a aidé, en disant "
        "précisément ce qu'il a changé pour vous.",
        "Un lien vers votre message.",
    ),
    "set-time-boundaries": (
        "Fixer vos propres limites de temps",
        "Décider quand et à quelle fréquence vous consultez le réseau, le mettre en sourdine "
        "hors des heures de travail, et dire à votre équipe ce qu'elle peut attendre de vous.",
        "Votre routine, revue avec votre mentor après deux semaines d'usage.",
    ),
    "choose-the-channel": (
        "Choisir le bon canal",
        "Pour des situations réelles (un conflit, un incident urgent, une décision formelle, "
        "une question rapide), décider si le réseau, un appel, une réunion ou un e-mail "
        "convient le mieux.",
        "Vos choix et leurs raisons, discutés en séance.",
    ),
    "keep-a-critical-eye": (
        "Garder un regard critique",
        "Repérer une affirmation non vérifiée, une chambre d'écho ou un débat qui tourne en "
        "rond, et décider comment réagir : vérifier la source, en parler hors ligne, ou laisser "
        "passer.",
        "Un exemple rencontré et la façon dont vous l'avez traité.",
    ),
}
"""Milestone id: (title, description, evidence expected)."""
