"""An admin withdraws a proposal before it is answered.

The match becomes ``cancelled`` (terminal) with its ``MatchCancelled`` event (both sides are
told) in one guarded write, then both places are released. Like every transition it is guarded
by the match's version: of an acceptance and a cancellation at once, exactly one is written and
the other finds the match changed and is refused (``InvalidTransition``, 409). The mentor stays
excluded for that mentee, as after a decline; no next mentor is proposed automatically (the
admin who cancelled decides), and the mentee waits for the next run.
"""

from __future__ import annotations

from mentoring.domain.matches import Match, MatchStatus
from mentoring.service_layer import audit
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.handlers import Context, require_admin
from mentorship_runtime.concurrency import retrying


async def cancel_proposal(c: cmd.CancelProposal, ctx: Context) -> Match:
    async def attempt() -> Match:
        match = await ctx.store.match(c.match_id)
        require_admin(await ctx.store.program(match.program_id), c.actor)
        if match.status is MatchStatus.CANCELLED:
            return match  # a retried cancellation: already done, no second event
        cancelled = match.cancel(now=ctx.clock(), reason=c.reason)
        return await ctx.store.save_match(
            cancelled,
            [
                ctx.events.for_transition(cancelled),
                audit.proposal_cancelled(ctx, c.actor.user_id, match, cancelled),
            ],
        )

    cancelled = await retrying(attempt)
    await ctx.store.release_place(cancelled.mentee.participant_id, cancelled.id)
    await ctx.store.release_place(cancelled.mentor.participant_id, cancelled.id)
    return cancelled
