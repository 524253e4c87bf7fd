"""Every text notify sends, in English and French, as templates.

A template is a title and paragraphs. ``{name}`` placeholders take values computed by the rules;
``{Name}`` takes the same value with a capital first letter, for the start of a sentence. A
paragraph written as ``OneOf(...)`` renders its first option whose values are all known, so an
optional detail (a reason, a path title) never leaves a hole; a paragraph whose values are missing
is left out. The HTML version escapes every interpolated value.

French texts avoid "de {name}" and "que {name}" (elision before a vowel) and gendered agreements
with the person's name.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from string import Formatter

from notify.domain.directory import Audience, Language, zone
from notify.domain.events import EventKind

TITLE_MAX = 200
VALUE_MAX = 200
REASON_MAX = 1000


@dataclass(frozen=True, init=False)
class OneOf:
    options: tuple[str, ...]

    def __init__(self, *options: str) -> None:
        object.__setattr__(self, "options", options)


Paragraph = str | OneOf


@dataclass(frozen=True, init=False)
class Template:
    title: Paragraph
    body: tuple[Paragraph, ...]

    def __init__(self, title: Paragraph, *body: Paragraph) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "body", body)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    html: str


COMPLETED = "completed"
ENDED_EARLY = "ended_early"
MENTEE_SIDE = "mentee"
MENTOR_SIDE = "mentor"
BOTH = "both"
MENTEE_WITHDREW = "mentee_withdrew"
MENTOR_WITHDREW = "mentor_withdrew"

EN, FR = Language.EN, Language.FR
K = EventKind
MENTOR, MENTEE, ADMINS = Audience.MENTOR, Audience.MENTEE, Audience.ADMINS

# (kind, audience, variant) -> language -> template; the variant is "" unless a rule picks one.
TEMPLATES: Mapping[tuple[EventKind, Audience, str], Mapping[Language, Template]] = {
    (K.MATCH_PROPOSED, MENTOR, MENTOR_SIDE): {
        EN: Template(
            "New mentee proposed: {mentee}",
            "You have been proposed as mentor to {mentee}.",
            "Please accept or decline before {deadline}. After that, the proposal lapses and "
            "{mentee} is offered another mentor.",
        ),
        FR: Template(
            "Nouvelle proposition de mentorat : {mentee}",
            "On vous propose d'accompagner {mentee} comme mentor.",
            "Merci d'accepter ou de décliner avant le {deadline}. Passé ce délai, la proposition "
            "expire et un autre mentor sera proposé à {mentee}.",
        ),
    },
    (K.MATCH_PROPOSED, MENTOR, BOTH): {
        EN: Template(
            "New mentee proposed: {mentee}",
            "You have been proposed as mentor to {mentee}.",
            "Please accept or decline before {deadline}. {Mentee} is asked to accept too: the "
            "mentoring starts once you have both accepted.",
        ),
        FR: Template(
            "Nouvelle proposition de mentorat : {mentee}",
            "On vous propose d'accompagner {mentee} comme mentor.",
            "Merci d'accepter ou de décliner avant le {deadline}. La proposition est aussi "
            "soumise à {mentee} : le mentorat commence une fois acceptée de part et d'autre.",
        ),
    },
    (K.MATCH_PROPOSED, MENTEE, MENTOR_SIDE): {
        EN: Template(
            "A mentor has been proposed to you: {mentor}",
            "{Mentor} has been proposed as your mentor on this program.",
            "{Mentor} has until {deadline} to accept; you will be told of the answer. There is "
            "nothing you need to do meanwhile.",
        ),
        FR: Template(
            "Un mentor vous est proposé : {mentor}",
            "{Mentor} vous est proposé comme mentor dans ce programme.",
            "La réponse est attendue avant le {deadline} ; vous en serez informé. Vous n'avez "
            "rien à faire d'ici là.",
        ),
    },
    (K.MATCH_PROPOSED, MENTEE, BOTH): {
        EN: Template(
            "A mentor has been proposed to you: {mentor}",
            "{Mentor} has been proposed as your mentor on this program.",
            "Please accept or decline before {deadline}. The mentoring starts once you and "
            "{mentor} have both accepted.",
        ),
        FR: Template(
            "Un mentor vous est proposé : {mentor}",
            "{Mentor} vous est proposé comme mentor dans ce programme.",
            "Merci d'accepter ou de décliner avant le {deadline}. Le mentorat commence une fois "
            "la proposition acceptée de part et d'autre.",
        ),
    },
    (K.MATCH_ACCEPTANCE_GIVEN, MENTEE, MENTOR_SIDE): {
        EN: Template(
            "{Mentor} accepted to mentor you",
            "{Mentor} has accepted to accompany you on your learning path.",
            "Your answer is awaited before {deadline}: the mentoring starts once you accept.",
        ),
        FR: Template(
            "{Mentor} a accepté de vous accompagner",
            "{Mentor} a accepté de vous accompagner sur votre parcours.",
            "Votre réponse est attendue avant le {deadline} : le mentorat commence dès que vous "
            "acceptez.",
        ),
    },
    (K.MATCH_ACCEPTANCE_GIVEN, MENTOR, MENTEE_SIDE): {
        EN: Template(
            "{Mentee} accepted you as mentor",
            "{Mentee} has accepted the proposal of you as mentor.",
            "Your answer is awaited before {deadline}: the mentoring starts once you accept.",
        ),
        FR: Template(
            "{Mentee} a accepté votre accompagnement",
            "{Mentee} a accepté la proposition de mentorat avec vous.",
            "Votre réponse est attendue avant le {deadline} : le mentorat commence dès que vous "
            "acceptez.",
        ),
    },
    (K.MATCH_ACCEPTED, MENTEE, ""): {
        EN: Template(
            "{Mentor} is now your mentor",
            "Good news: {mentor} has agreed to accompany you on your learning path.",
            "Next step: agree on a first session together and record a first check-in on your "
            "current module.",
        ),
        FR: Template(
            "{Mentor} est désormais votre mentor",
            "Bonne nouvelle : {mentor} a accepté de vous accompagner sur votre parcours.",
            "Prochaine étape : convenez ensemble d'une première séance et faites un premier point "
            "de confiance sur votre module en cours.",
        ),
    },
    (K.MATCH_DECLINED, MENTEE, MENTOR_SIDE): {
        EN: Template(
            "Your proposed mentor is not available",
            "{Mentor} is not available to accompany you at the moment.",
            "The program team will propose another mentor to you shortly; there is nothing you "
            "need to do.",
        ),
        FR: Template(
            "Votre mentor proposé n'est pas disponible",
            "{Mentor} n'est pas disponible pour vous accompagner en ce moment.",
            "L'équipe du programme va vous proposer un autre mentor prochainement ; vous n'avez "
            "rien à faire.",
        ),
    },
    (K.MATCH_DECLINED, ADMINS, MENTOR_SIDE): {
        EN: Template(
            "Proposal declined: {mentee} needs another mentor",
            "{Mentor} declined the proposal to mentor {mentee}.",
            "Reason given: {reason}",
            "Next step: propose another mentor to {mentee}.",
        ),
        FR: Template(
            "Proposition déclinée : {mentee} attend un autre mentor",
            "{Mentor} a décliné la proposition d'accompagner {mentee}.",
            "Motif indiqué : {reason}",
            "Prochaine étape : proposer un autre mentor à {mentee}.",
        ),
    },
    (K.MATCH_DECLINED, MENTOR, MENTEE_SIDE): {
        EN: Template(
            "{Mentee} declined the mentoring proposal",
            "{Mentee} has declined the proposal of you as mentor.",
            "Your place is free again for another mentee; there is nothing you need to do.",
        ),
        FR: Template(
            "{Mentee} a décliné la proposition de mentorat",
            "{Mentee} a décliné la proposition de mentorat avec vous.",
            "Votre place est de nouveau libre pour une autre personne ; vous n'avez rien à faire.",
        ),
    },
    (K.MATCH_DECLINED, ADMINS, MENTEE_SIDE): {
        EN: Template(
            "Proposal declined by {mentee}",
            "{Mentee} declined the proposal of {mentor} as mentor.",
            "Reason given: {reason}",
            "Next step: {mentee} will be offered the next best mentor; check the proposal.",
        ),
        FR: Template(
            "Proposition déclinée par {mentee}",
            "{Mentee} a décliné la proposition de mentorat avec {mentor}.",
            "Motif indiqué : {reason}",
            "Prochaine étape : le mentor suivant le plus adapté sera proposé ; vérifiez la "
            "proposition.",
        ),
    },
    (K.MATCH_DECLINED, MENTEE, MENTOR_WITHDREW): {
        EN: Template(
            "Your proposed mentor is no longer in the program",
            "{Mentor} has left the program, so the proposal of them as your mentor is closed.",
            "Another mentor will be proposed to you; there is nothing you need to do.",
        ),
        FR: Template(
            "Votre mentor proposé a quitté le programme",
            "{Mentor} a quitté le programme : la proposition de mentorat avec cette personne "
            "est close.",
            "Un autre mentor vous sera proposé ; vous n'avez rien à faire.",
        ),
    },
    (K.MATCH_DECLINED, MENTOR, MENTEE_WITHDREW): {
        EN: Template(
            "{Mentee} is no longer in the program",
            "{Mentee} has left the program, so the proposal of you as their mentor is closed.",
            "Your place is free again for another mentee; there is nothing you need to do.",
        ),
        FR: Template(
            "{Mentee} a quitté le programme",
            "{Mentee} a quitté le programme : la proposition de l'accompagner est close.",
            "Votre place est de nouveau libre pour une autre personne ; vous n'avez rien à faire.",
        ),
    },
    (K.MATCH_CANCELLED, MENTEE, ""): {
        EN: Template(
            "Your mentoring proposal was withdrawn",
            "The program team has withdrawn the proposal of {mentor} as your mentor.",
            "Another mentor will be proposed to you; there is nothing you need to do.",
        ),
        FR: Template(
            "Votre proposition de mentorat a été retirée",
            "L'équipe du programme a retiré la proposition de mentorat avec {mentor}.",
            "Un autre mentor vous sera proposé ; vous n'avez rien à faire.",
        ),
    },
    (K.MATCH_CANCELLED, MENTOR, ""): {
        EN: Template(
            "Proposal withdrawn: {mentee}",
            "The program team has withdrawn the proposal of you as mentor to {mentee}.",
            "There is nothing more to answer; your place is free again.",
        ),
        FR: Template(
            "Proposition retirée : {mentee}",
            "L'équipe du programme a retiré la proposition d'accompagner {mentee}.",
            "Plus besoin d'y répondre ; votre place est de nouveau libre.",
        ),
    },
    (K.MATCH_EXPIRED, MENTEE, ""): {
        EN: Template(
            "Your mentoring proposal has lapsed",
            "{Mentor} did not answer in time, so the proposal has lapsed.",
            "You will be offered the next best mentor shortly; there is nothing you need to do.",
        ),
        FR: Template(
            "Votre proposition de mentorat a expiré",
            "{Mentor} n'a pas répondu à temps : la proposition a expiré.",
            "Le mentor le plus adapté parmi ceux disponibles vous sera proposé prochainement ; "
            "vous n'avez rien à faire.",
        ),
    },
    (K.MATCH_EXPIRED, ADMINS, ""): {
        EN: Template(
            "Proposal expired: {mentee} is waiting for a mentor",
            "{Mentor} did not answer the proposal to mentor {mentee} in time.",
            "Next step: check that {mentee} has received a new proposal, and whether {mentor} is "
            "still available to mentor.",
        ),
        FR: Template(
            "Proposition expirée : {mentee} attend un mentor",
            "{Mentor} n'a pas répondu à temps à la proposition d'accompagner {mentee}.",
            "Prochaine étape : vérifier qu'une nouvelle proposition a été faite à {mentee}, et si "
            "{mentor} est toujours disponible.",
        ),
    },
    (K.MATCH_ENDED, MENTEE, COMPLETED): {
        EN: Template(
            "Your mentoring with {mentor} is complete",
            "Congratulations on completing your mentoring with {mentor}.",
            "Your progress and evidence stay available on your learning path.",
        ),
        FR: Template(
            "Votre mentorat avec {mentor} est terminé",
            "Félicitations : votre mentorat avec {mentor} est arrivé à son terme.",
            "Vos progrès et vos preuves restent disponibles sur votre parcours.",
        ),
    },
    (K.MATCH_ENDED, MENTOR, COMPLETED): {
        EN: Template(
            "Your mentoring of {mentee} is complete",
            "Your mentoring of {mentee} has come to its planned end. Thank you for your "
            "accompaniment.",
            "Your place is free again for a new mentee.",
        ),
        FR: Template(
            "Votre accompagnement avec {mentee} est terminé",
            "Votre accompagnement avec {mentee} est arrivé à son terme. Merci pour votre "
            "engagement.",
            "Votre place est de nouveau libre pour une nouvelle personne à accompagner.",
        ),
    },
    (K.MATCH_ENDED, MENTEE, ENDED_EARLY): {
        EN: Template(
            "Your mentoring with {mentor} has ended",
            "Your mentoring with {mentor} has ended earlier than planned.",
            "If you would like to continue with another mentor, contact your program team.",
        ),
        FR: Template(
            "Votre mentorat avec {mentor} a pris fin",
            "Votre mentorat avec {mentor} a pris fin plus tôt que prévu.",
            "Si vous souhaitez continuer avec un autre mentor, contactez l'équipe du programme.",
        ),
    },
    (K.MATCH_ENDED, MENTOR, ENDED_EARLY): {
        EN: Template(
            "Your mentoring of {mentee} has ended",
            "Your mentoring of {mentee} has ended earlier than planned. Thank you for the time "
            "you gave.",
            "Your place is free again for a new mentee.",
        ),
        FR: Template(
            "Votre accompagnement avec {mentee} a pris fin",
            "Votre accompagnement avec {mentee} a pris fin plus tôt que prévu. Merci pour le "
            "temps consacré.",
            "Votre place est de nouveau libre pour une nouvelle personne à accompagner.",
        ),
    },
    (K.MENTEE_STALLED, MENTOR, ""): {
        EN: Template(
            "{Mentee} seems to have stalled",
            "{Mentee} has recorded no activity on the learning path for {duration}.",
            "This is a good moment to reach out: a short message or a session often helps to get "
            "going again.",
        ),
        FR: Template(
            "{Mentee} semble à l'arrêt",
            "{Mentee} n'a enregistré aucune activité sur le parcours depuis {duration}.",
            "C'est le bon moment pour prendre contact : un court message ou une séance aide "
            "souvent à repartir.",
        ),
    },
    (K.MENTEE_STALLED, ADMINS, ""): {
        EN: Template(
            "{Mentee} has stalled and has no mentor",
            "{Mentee} has recorded no activity on the learning path for {duration}, and has no "
            "mentor to follow up.",
            "Next step: reach out to {mentee} or propose a mentor.",
        ),
        FR: Template(
            "{Mentee} est à l'arrêt, sans mentor",
            "{Mentee} n'a enregistré aucune activité sur le parcours depuis {duration} et n'a "
            "pas de mentor pour assurer le suivi.",
            "Prochaine étape : prendre contact avec {mentee} ou proposer un mentor.",
        ),
    },
    (K.MENTEE_STILL_STALLED, ADMINS, ""): {
        EN: Template(
            "{Mentee} is still stalled",
            OneOf(
                "{Mentee} has recorded no activity for {duration}, twice the program's stall "
                "window, even though {mentor} was alerted.",
                "{Mentee} has recorded no activity for {duration}, twice the program's stall "
                "window.",
            ),
            OneOf(
                "Next step: check in with {mentor} and {mentee}; a conversation, a lighter pace "
                "or another mentor may help.",
                "Next step: reach out to {mentee} and propose a mentor.",
            ),
        ),
        FR: Template(
            "{Mentee} est toujours à l'arrêt",
            OneOf(
                "{Mentee} n'a enregistré aucune activité depuis {duration}, soit deux fois le "
                "délai d'alerte du programme, malgré l'alerte envoyée à {mentor}.",
                "{Mentee} n'a enregistré aucune activité depuis {duration}, soit deux fois le "
                "délai d'alerte du programme.",
            ),
            OneOf(
                "Prochaine étape : faire le point avec {mentor} et {mentee} ; un échange, un "
                "rythme plus léger ou un autre mentor peuvent aider.",
                "Prochaine étape : prendre contact avec {mentee} et proposer un mentor.",
            ),
        ),
    },
    (K.CONFIDENCE_DROPPED, MENTOR, ""): {
        EN: Template(
            "{Mentee}'s confidence dropped on “{module}”",
            "{Mentee}'s confidence on the module “{module}” fell from {previous}/5 to "
            "{confidence}/5.",
            "Next step: talk it through at your next session; naming what feels hard is often "
            "the first step to regaining confidence.",
        ),
        FR: Template(
            "Baisse de confiance pour {mentee} sur « {module} »",
            "Sur le module « {module} », la confiance enregistrée pour {mentee} est passée de "
            "{previous}/5 à {confidence}/5.",
            "Prochaine étape : en parler lors de votre prochaine séance ; mettre des mots sur ce "
            "qui est difficile est souvent le premier pas pour reprendre confiance.",
        ),
    },
    (K.CONFIDENCE_DROPPED, ADMINS, ""): {
        EN: Template(
            "{Mentee}'s confidence dropped on “{module}” (no mentor)",
            "{Mentee}'s confidence on the module “{module}” fell from {previous}/5 to "
            "{confidence}/5.",
            "{Mentee} has no mentor to follow up. Next step: reach out to {mentee} or propose a "
            "mentor.",
        ),
        FR: Template(
            "Baisse de confiance pour {mentee} sur « {module} » (sans mentor)",
            "Sur le module « {module} », la confiance enregistrée pour {mentee} est passée de "
            "{previous}/5 à {confidence}/5.",
            "Aucun mentor n'assure le suivi. Prochaine étape : prendre contact avec {mentee} ou "
            "proposer un mentor.",
        ),
    },
    (K.MILESTONE_COMPLETED, MENTOR, ""): {
        EN: Template(
            "{Mentee} reached a milestone",
            "{Mentee} reached the milestone “{milestone}” of the module “{module}”.",
            "A word of recognition goes a long way; you can review the evidence on the learning "
            "path.",
        ),
        FR: Template(
            "{Mentee} a atteint un jalon",
            "{Mentee} a atteint le jalon « {milestone} » du module « {module} ».",
            "Un mot de reconnaissance compte beaucoup ; vous pouvez consulter les preuves sur le "
            "parcours.",
        ),
    },
    (K.MODULE_COMPLETED, MENTOR, ""): {
        EN: Template(
            "{Mentee} completed “{module}”",
            "{Mentee} reached every milestone of the module “{module}”.",
            "Next step: review what was learned together and look ahead to the next module.",
        ),
        FR: Template(
            "{Mentee} a terminé le module « {module} »",
            "{Mentee} a atteint tous les jalons du module « {module} ».",
            "Prochaine étape : faire le bilan ensemble et préparer le module suivant.",
        ),
    },
    (K.PATH_COMPLETED, MENTEE, ""): {
        EN: Template(
            "Congratulations, you completed your learning path",
            OneOf(
                "You completed every module of “{path}”.",
                "You completed every module of your learning path.",
            ),
            OneOf(
                "Well done, and thanks to {mentor} for accompanying you along the way.",
                "Well done for the work you put in.",
            ),
        ),
        FR: Template(
            "Félicitations, vous avez terminé votre parcours",
            OneOf(
                "Vous avez terminé tous les modules du parcours « {path} ».",
                "Vous avez terminé tous les modules de votre parcours.",
            ),
            OneOf(
                "Bravo, et merci à {mentor} pour son accompagnement.",
                "Bravo pour le travail accompli.",
            ),
        ),
    },
    (K.PATH_COMPLETED, MENTOR, ""): {
        EN: Template(
            "{Mentee} completed the learning path",
            OneOf(
                "{Mentee} completed every module of “{path}”.",
                "{Mentee} completed every module of the learning path.",
            ),
            "Thank you for your accompaniment. Next step: agree with {mentee} on how to close "
            "your mentoring.",
        ),
        FR: Template(
            "{Mentee} a terminé le parcours",
            OneOf(
                "{Mentee} a terminé tous les modules du parcours « {path} ».",
                "{Mentee} a terminé tous les modules du parcours.",
            ),
            "Merci pour votre accompagnement. Prochaine étape : convenir avec {mentee} de la "
            "clôture du mentorat.",
        ),
    },
    (K.PATH_COMPLETED, ADMINS, ""): {
        EN: Template(
            "{Mentee} completed the learning path",
            OneOf(
                "{Mentee} completed every module of “{path}”, accompanied by {mentor}.",
                "{Mentee} completed every module of the learning path, accompanied by {mentor}.",
                "{Mentee} completed every module of “{path}”.",
                "{Mentee} completed every module of the learning path.",
            ),
            "Next step: close the mentoring with its outcome once both sides are ready.",
        ),
        FR: Template(
            "{Mentee} a terminé le parcours",
            OneOf(
                "{Mentee} a terminé tous les modules du parcours « {path} », avec {mentor} "
                "comme mentor.",
                "{Mentee} a terminé tous les modules du parcours, avec {mentor} comme mentor.",
                "{Mentee} a terminé tous les modules du parcours « {path} ».",
                "{Mentee} a terminé tous les modules du parcours.",
            ),
            "Prochaine étape : clôturer le mentorat en indiquant son issue, quand les deux "
            "parties sont prêtes.",
        ),
    },
    (K.SESSION_NOT_RATED, MENTOR, ""): {
        EN: Template(
            "Please rate your session with {mentee}",
            OneOf(
                "Your session with {mentee} on {session_date} has no rating yet.",
                "A recent session with {mentee} has no rating yet.",
            ),
            "Rating it takes a minute and helps follow how the mentoring is going.",
        ),
        FR: Template(
            "Merci d'évaluer votre séance avec {mentee}",
            OneOf(
                "Votre séance du {session_date} avec {mentee} n'a pas encore été évaluée.",
                "Une séance récente avec {mentee} n'a pas encore été évaluée.",
            ),
            "L'évaluer prend une minute et aide à suivre le déroulement du mentorat.",
        ),
    },
    (K.SESSION_NOT_RATED, MENTEE, ""): {
        EN: Template(
            OneOf("Please rate your session with {mentor}", "Please rate your recent session"),
            OneOf(
                "Your session with {mentor} on {session_date} has no rating yet.",
                "A recent session with {mentor} has no rating yet.",
                "Your session on {session_date} has no rating yet.",
                "A recent session has no rating yet.",
            ),
            "Rating it takes a minute and helps your mentor follow how you are doing.",
        ),
        FR: Template(
            OneOf(
                "Merci d'évaluer votre séance avec {mentor}", "Merci d'évaluer votre séance récente"
            ),
            OneOf(
                "Votre séance du {session_date} avec {mentor} n'a pas encore été évaluée.",
                "Une séance récente avec {mentor} n'a pas encore été évaluée.",
                "Votre séance du {session_date} n'a pas encore été évaluée.",
                "Une séance récente n'a pas encore été évaluée.",
            ),
            "L'évaluer prend une minute et aide votre mentor à suivre votre progression.",
        ),
    },
    (K.PARTICIPANT_WITHDRAWN, ADMINS, ""): {
        EN: Template(
            "{Mentee} has left the program",
            "{Mentee} has withdrawn from the program.",
            "Reason given: {reason}",
            "Any match or proposal with {mentee} has ended, and the other side has been told. "
            "Next step: check whether a mentee who lost their mentor needs a new proposal.",
        ),
        FR: Template(
            "Départ du programme : {mentee}",
            "{Mentee} a quitté le programme.",
            "Motif indiqué : {reason}",
            "Les mentorats et propositions en cours avec {mentee} ont pris fin, et l'autre "
            "partie en a été informée. Prochaine étape : vérifier si une personne accompagnée "
            "qui a perdu son mentor a besoin d'une nouvelle proposition.",
        ),
    },
    (K.MENTEE_BACK_ON_TRACK, MENTOR, ""): {
        EN: Template(
            "{Mentee} is back on track",
            "{Mentee} is active again on the learning path.",
            "Thank you for your follow-up; a word of encouragement now helps keep the momentum.",
        ),
        FR: Template(
            "{Mentee} a repris son parcours",
            "{Mentee} a repris ses activités sur le parcours.",
            "Merci pour votre suivi ; un mot d'encouragement maintenant aide à garder l'élan.",
        ),
    },
    (K.SESSION_PLANNED, MENTEE, ""): {
        EN: Template(
            "Session planned with {Mentor}: {start}",
            "A mentoring session with {mentor} is planned for {start}, for {minutes}.",
            OneOf(
                "Place: {place}. Video link: {link}",
                "Place: {place}.",
                "Video link: {link}",
            ),
            "The invitation is attached: open it to add the session to your calendar.",
        ),
        FR: Template(
            "Séance prévue avec {mentor} : {start}",
            "Une séance de mentorat avec {mentor} est prévue le {start}, pour {minutes}.",
            OneOf(
                "Lieu : {place}. Lien de visioconférence : {link}",
                "Lieu : {place}.",
                "Lien de visioconférence : {link}",
            ),
            "L'invitation est jointe : ouvrez-la pour ajouter la séance à votre agenda.",
        ),
    },
    (K.SESSION_PLANNED, MENTOR, ""): {
        EN: Template(
            "Session planned with {Mentee}: {start}",
            "A mentoring session with {mentee} is planned for {start}, for {minutes}.",
            OneOf(
                "Place: {place}. Video link: {link}",
                "Place: {place}.",
                "Video link: {link}",
            ),
            "The invitation is attached: open it to add the session to your calendar.",
        ),
        FR: Template(
            "Séance prévue avec {mentee} : {start}",
            "Une séance de mentorat avec {mentee} est prévue le {start}, pour {minutes}.",
            OneOf(
                "Lieu : {place}. Lien de visioconférence : {link}",
                "Lieu : {place}.",
                "Lien de visioconférence : {link}",
            ),
            "L'invitation est jointe : ouvrez-la pour ajouter la séance à votre agenda.",
        ),
    },
    (K.SESSION_RESCHEDULED, MENTEE, ""): {
        EN: Template(
            "Session with {Mentor} moved to {start}",
            OneOf(
                "Your session with {mentor} planned for {previous_start} now takes place on "
                "{start}, for {minutes}.",
                "Your session with {mentor} now takes place on {start}, for {minutes}.",
            ),
            OneOf(
                "Place: {place}. Video link: {link}",
                "Place: {place}.",
                "Video link: {link}",
            ),
            "The attached invitation updates the event in your calendar.",
        ),
        FR: Template(
            "Séance avec {mentor} déplacée au {start}",
            OneOf(
                "Votre séance avec {mentor} prévue le {previous_start} a désormais lieu le "
                "{start}, pour {minutes}.",
                "Votre séance avec {mentor} a désormais lieu le {start}, pour {minutes}.",
            ),
            OneOf(
                "Lieu : {place}. Lien de visioconférence : {link}",
                "Lieu : {place}.",
                "Lien de visioconférence : {link}",
            ),
            "L'invitation jointe met à jour l'événement dans votre agenda.",
        ),
    },
    (K.SESSION_RESCHEDULED, MENTOR, ""): {
        EN: Template(
            "Session with {Mentee} moved to {start}",
            OneOf(
                "Your session with {mentee} planned for {previous_start} now takes place on "
                "{start}, for {minutes}.",
                "Your session with {mentee} now takes place on {start}, for {minutes}.",
            ),
            OneOf(
                "Place: {place}. Video link: {link}",
                "Place: {place}.",
                "Video link: {link}",
            ),
            "The attached invitation updates the event in your calendar.",
        ),
        FR: Template(
            "Séance avec {mentee} déplacée au {start}",
            OneOf(
                "Votre séance avec {mentee} prévue le {previous_start} a désormais lieu le "
                "{start}, pour {minutes}.",
                "Votre séance avec {mentee} a désormais lieu le {start}, pour {minutes}.",
            ),
            OneOf(
                "Lieu : {place}. Lien de visioconférence : {link}",
                "Lieu : {place}.",
                "Lien de visioconférence : {link}",
            ),
            "L'invitation jointe met à jour l'événement dans votre agenda.",
        ),
    },
    (K.SESSION_CANCELLED, MENTEE, ""): {
        EN: Template(
            "Session with {Mentor} cancelled ({start})",
            "The mentoring session with {mentor} planned for {start} is cancelled.",
            OneOf(
                "Reason given: {reason}",
            ),
            "The attached cancellation removes it from your calendar.",
        ),
        FR: Template(
            "Séance avec {mentor} annulée ({start})",
            "La séance de mentorat avec {mentor} prévue le {start} est annulée.",
            OneOf(
                "Motif indiqué : {reason}",
            ),
            "L'annulation jointe la retire de votre agenda.",
        ),
    },
    (K.SESSION_CANCELLED, MENTOR, ""): {
        EN: Template(
            "Session with {Mentee} cancelled ({start})",
            "The mentoring session with {mentee} planned for {start} is cancelled.",
            OneOf(
                "Reason given: {reason}",
            ),
            "The attached cancellation removes it from your calendar.",
        ),
        FR: Template(
            "Séance avec {mentee} annulée ({start})",
            "La séance de mentorat avec {mentee} prévue le {start} est annulée.",
            OneOf(
                "Motif indiqué : {reason}",
            ),
            "L'annulation jointe la retire de votre agenda.",
        ),
    },
    (K.CHECK_IN_OVERDUE, MENTEE, ""): {
        EN: Template(
            "Time for a check-in",
            "You have not recorded a check-in on your learning path for {duration}.",
            OneOf(
                "A quick check-in tells {mentor} how confident you feel on your current module, "
                "and shows you both how far you have come.",
                "A quick check-in on how confident you feel on your current module shows how far "
                "you have come.",
            ),
        ),
        FR: Template(
            "C'est le moment de faire le point",
            "Vous n'avez pas fait de point de confiance sur votre parcours depuis {duration}.",
            OneOf(
                "Un point rapide indique à {mentor} votre niveau de confiance sur votre module en "
                "cours et permet de mesurer ensemble le chemin parcouru.",
                "Un point rapide sur votre niveau de confiance dans votre module en cours permet "
                "de mesurer le chemin parcouru.",
            ),
        ),
    },
    (K.PROPOSAL_EXPIRING, MENTOR, ""): {
        EN: Template(
            "Reminder: the proposal to mentor {mentee} expires soon",
            "You have not answered the proposal to mentor {mentee} yet.",
            "Please accept or decline before {deadline}. After that, the proposal lapses and "
            "{mentee} is offered another mentor.",
        ),
        FR: Template(
            "Rappel : la proposition d'accompagner {mentee} expire bientôt",
            "Vous n'avez pas encore répondu à la proposition d'accompagner {mentee}.",
            "Merci d'accepter ou de décliner avant le {deadline}. Passé ce délai, la proposition "
            "expire et un autre mentor sera proposé à {mentee}.",
        ),
    },
    (K.SESSION_TO_CONFIRM, MENTEE, ""): {
        EN: Template(
            "Did your session with {mentor} take place?",
            "Your mentoring session with {mentor} was planned for {start}, for {minutes}.",
            "If it took place, confirm it on the planned session's page, with your notes and a "
            "rating: it then counts among your sessions. If it did not happen, cancel it there.",
        ),
        FR: Template(
            "Votre séance avec {mentor} a-t-elle eu lieu ?",
            "Votre séance de mentorat avec {mentor} était prévue le {start}, pour {minutes}.",
            "Si elle a eu lieu, confirmez-la sur la page de la séance prévue, avec vos remarques "
            "et une évaluation : elle compte alors parmi vos séances. Si elle n'a pas eu lieu, "
            "annulez-la depuis cette même page.",
        ),
    },
    (K.SESSION_TO_CONFIRM, MENTOR, ""): {
        EN: Template(
            "Did your session with {mentee} take place?",
            "Your mentoring session with {mentee} was planned for {start}, for {minutes}.",
            "If it took place, confirm it on the planned session's page, with your notes and a "
            "rating: it then counts among the sessions of the mentoring. If it did not happen, "
            "cancel it there.",
        ),
        FR: Template(
            "Votre séance avec {mentee} a-t-elle eu lieu ?",
            "Votre séance de mentorat avec {mentee} était prévue le {start}, pour {minutes}.",
            "Si elle a eu lieu, confirmez-la sur la page de la séance prévue, avec vos remarques "
            "et une évaluation : elle compte alors parmi les séances du mentorat. Si elle n'a pas "
            "eu lieu, annulez-la depuis cette même page.",
        ),
    },
}

# What to call someone whose name notify does not know (yet).
UNKNOWN_NAMES: Mapping[Language, Mapping[Audience, str]] = {
    EN: {MENTEE: "the mentee", MENTOR: "the mentor"},
    FR: {MENTEE: "la personne accompagnée", MENTOR: "le mentor"},
}

DIGEST_GROUPS: Mapping[EventKind, Mapping[Language, str]] = {
    K.MATCH_PROPOSED: {EN: "Mentoring proposals", FR: "Propositions de mentorat"},
    K.MATCH_ACCEPTED: {EN: "Accepted matches", FR: "Mentorats acceptés"},
    K.MATCH_DECLINED: {EN: "Declined proposals", FR: "Propositions déclinées"},
    K.MATCH_EXPIRED: {EN: "Expired proposals", FR: "Propositions expirées"},
    K.MATCH_ENDED: {EN: "Ended mentoring", FR: "Mentorats terminés"},
    K.MATCH_CANCELLED: {EN: "Withdrawn proposals", FR: "Propositions retirées"},
    K.MATCH_ACCEPTANCE_GIVEN: {EN: "Proposals awaiting you", FR: "Propositions à confirmer"},
    K.MENTEE_STALLED: {EN: "Stalled mentees", FR: "Personnes à l'arrêt"},
    K.MENTEE_STILL_STALLED: {EN: "Mentees still stalled", FR: "Personnes toujours à l'arrêt"},
    K.CONFIDENCE_DROPPED: {EN: "Confidence drops", FR: "Baisses de confiance"},
    K.MILESTONE_COMPLETED: {EN: "Milestones reached", FR: "Jalons atteints"},
    K.MODULE_COMPLETED: {EN: "Modules completed", FR: "Modules terminés"},
    K.PATH_COMPLETED: {EN: "Learning paths completed", FR: "Parcours terminés"},
    K.SESSION_NOT_RATED: {EN: "Sessions to rate", FR: "Séances à évaluer"},
    K.MENTEE_BACK_ON_TRACK: {EN: "Mentees back on track", FR: "Reprises d'activité"},
    K.SESSION_PLANNED: {EN: "Sessions planned", FR: "Séances prévues"},
    K.SESSION_RESCHEDULED: {EN: "Sessions moved", FR: "Séances déplacées"},
    K.SESSION_CANCELLED: {EN: "Sessions cancelled", FR: "Séances annulées"},
    K.PARTICIPANT_WITHDRAWN: {EN: "Departures", FR: "Départs du programme"},
    K.CHECK_IN_OVERDUE: {EN: "Check-ins due", FR: "Points de confiance à faire"},
    K.PROPOSAL_EXPIRING: {EN: "Proposals about to lapse", FR: "Propositions qui expirent bientôt"},
    K.SESSION_TO_CONFIRM: {EN: "Sessions to confirm", FR: "Séances à confirmer"},
    K.MENTOR_WEEKLY_DIGEST: {EN: "Your week with your mentees", FR: "Votre semaine de mentorat"},
}

DIGEST_TITLE: Mapping[Language, tuple[str, str]] = {
    EN: ("Your daily summary: 1 notification", "Your daily summary: {count} notifications"),
    FR: ("Votre résumé du jour : 1 notification", "Votre résumé du jour : {count} notifications"),
}

DIGEST_GREETING: Mapping[Language, str] = {
    EN: "Hello {name}, here is what happened since your last summary.",
    FR: "Bonjour {name}, voici ce qui s'est passé depuis votre dernier résumé.",
}

_DAYS: Mapping[Language, tuple[str, str]] = {
    EN: ("1 day", "{count} days"),
    FR: ("1 jour", "{count} jours"),
}
_WEEKDAYS: Mapping[Language, tuple[str, ...]] = {
    EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    FR: ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
_MONTHS: Mapping[Language, tuple[str, ...]] = {
    EN: (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    FR: (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
}  # fmt: skip
_AT: Mapping[Language, str] = {EN: "at", FR: "à"}


def plural(forms: Mapping[Language, tuple[str, str]], language: Language, count: int) -> str:
    one, many = forms[language]
    return one if count == 1 else many.format(count=count)


def format_days(count: int, language: Language) -> str:
    return plural(_DAYS, language, count)


def format_date(day: date, language: Language) -> str:
    weekday = _WEEKDAYS[language][day.weekday()]
    month = _MONTHS[language][day.month - 1]
    number = "1er" if language is FR and day.day == 1 else str(day.day)
    return f"{weekday} {number} {month} {day.year}"


def format_moment(instant: datetime, language: Language, timezone: str) -> str:
    """A moment as the recipient reads it: on their clock, naming their zone."""
    local = instant.astimezone(zone(timezone))
    return f"{format_date(local.date(), language)} {_AT[language]} {local:%H:%M} ({timezone})"


def one_line(value: str, limit: int = VALUE_MAX) -> str:
    """Collapse whitespace (no line breaks in a title or an e-mail subject) and clip."""
    collapsed = " ".join(value.split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1].rstrip() + "…"


_FORMATTER = Formatter()


def _as_is(text: str) -> str:
    return text


def _html_text(text: str) -> str:
    return html.escape(text, quote=False)


def _html_value(text: str) -> str:
    return html.escape(text, quote=True)


def fill(
    template: str,
    values: Mapping[str, str],
    literal: Callable[[str], str] = _as_is,
    value: Callable[[str], str] = _as_is,
) -> str | None:
    """The template with its values, or None when one of them is not known."""
    parts: list[str] = []
    for text, name, _spec, _conversion in _FORMATTER.parse(template):
        parts.append(literal(text))
        if name is not None:
            if name not in values:
                return None
            parts.append(value(values[name]))
    return "".join(parts)


def _chosen(paragraph: Paragraph, values: Mapping[str, str]) -> str | None:
    options = paragraph.options if isinstance(paragraph, OneOf) else (paragraph,)
    return next((option for option in options if fill(option, values) is not None), None)


def with_capitals(values: Mapping[str, str]) -> dict[str, str]:
    capitals = {
        name[:1].upper() + name[1:]: text[:1].upper() + text[1:] for name, text in values.items()
    }
    return {**values, **capitals}


def render(
    kind: EventKind, audience: Audience, variant: str, language: Language, values: Mapping[str, str]
) -> Rendered:
    template = TEMPLATES[kind, audience, variant][language]
    known = with_capitals(values)
    chosen_title = _chosen(template.title, known)
    if chosen_title is None:
        raise KeyError(f"the title of {kind} for the {audience} lacks a value")
    title = fill(chosen_title, known) or ""
    chosen = [option for option in (_chosen(p, known) for p in template.body) if option]
    body = "\n\n".join(fill(option, known) or "" for option in chosen)
    markup = "\n".join(
        f"<p>{fill(option, known, _html_text, _html_value)}</p>" for option in chosen
    )
    return Rendered(one_line(title, TITLE_MAX), body, markup)
