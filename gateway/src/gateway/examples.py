"""The operations GraphiQL opens with in development: the main uses of the API, ready to run.

Put ``{"Authorization": "Bearer <token>"}`` in GraphiQL's headers (``make dev`` and
``mentorship token`` print tokens for the demo users).
"""

EXAMPLE_OPERATIONS = """\
# The mentoring platform's API. Set the header {"Authorization": "Bearer <token>"} first.
# Pick an operation with the play button.

query Me {
  me { userId name roles }
}

query MyDashboard {
  myMentees(first: 50) {
    byStatus { status count }
    mentees {
      nodes {
        menteeId
        status
        confidenceTrend
        lastActivityAt
        unreadAlerts
        profile { displayName department }
        progress { percent modules { title latestConfidence trend } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}

query MyPrograms {
  programs(first: 10) { nodes { id name status } }
}

query Suggestions($menteeId: ID!) {
  matchSuggestions(menteeId: $menteeId, first: 3) {
    mentor { id displayName }
    score
    breakdown { criterion points reason }
    reasons
  }
}

query Inbox {
  notifications(unreadOnly: true, first: 20) {
    unread
    notifications { nodes { id title body subjectId createdAt } }
  }
}

mutation CheckIn($menteeId: ID!) {
  recordCheckIn(menteeId: $menteeId, moduleId: "purpose", confidence: 4, note: "Getting there") {
    __typename
    ... on MenteeProgress { percent confidenceTrend }
    ... on ValidationError { message problems { path message } }
    ... on MutationError { message }
  }
}

mutation Accept($matchId: ID!) {
  acceptMatch(matchId: $matchId) {
    __typename
    ... on Match { id status }
    ... on MutationError { message }
  }
}

# Live notifications: a graphql-ws client sends the token in connection_init, e.g.
# connectionParams: {Authorization: "Bearer <token>"} (GraphiQL's headers stay on HTTP).
subscription Live {
  notifications { id kind title body subjectId createdAt }
}
"""
