"""Repairs what a crash between two single-document writes can leave behind.

A proposal first claims a place on the mentee's and the mentor's documents, then writes the
match; closing a match writes the match, then releases the places. A crash in between leaves a
place held by a match that is closed, or that was never written; a request that reused another's
idempotency key may leave a place held for a match that pairs other people. This job releases
such places.
"""

from __future__ import annotations

from mentoring.service_layer.handlers import Context

_seen_missing: set[tuple[str, str]] = set()


async def release_stale_places(ctx: Context) -> int:
    """Release the places held for a match that is closed, pairs other people, or was not
    written (seen missing twice, a round apart); how many were released."""
    released = 0
    async for holder in ctx.store.held_places():
        claimed = list(holder.match_ids)
        still_open = await ctx.store.open_match_ids(claimed)
        matches = await ctx.store.matches_by_ids(claimed)
        existing = {m.id for m in matches}
        others = {
            m.id
            for m in matches
            if holder.participant_id not in (m.mentee.participant_id, m.mentor.participant_id)
        }
        for match_id in claimed:
            if match_id in still_open and match_id not in others:
                continue
            key = (holder.participant_id, match_id)
            if match_id not in existing and key not in _seen_missing:
                _seen_missing.add(key)  # maybe being written right now: look again next round
                continue
            _seen_missing.discard(key)
            await ctx.store.release_place(holder.participant_id, match_id)
            released += 1
    return released
