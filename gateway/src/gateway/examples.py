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
  programs(first: 10) { nodes { id name status learningPathId } }
}

query LearningPaths {
  learningPaths { id title latestVersion }
}

# The learning path must be one of learningPaths (else a ValidationError on it).
mutation CreateProgram {
  createProgram(input: {name: "Pilot", learningPathId: "social-business-accompaniment",
                        weights: [{criterion: GOAL_COVERAGE, weight: 40}]}) {
    __typename
    ... on Program { id status weights { criterion weight } }
    ... on ValidationError { message problems { path message } }
    ... on MutationError { message }
  }
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
    notifications { nodes { id kind priority title body subjectId createdAt } }
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

# Answers once the mentee's progress follows the match: the mentee may check in at once.
mutation Accept($matchId: ID!) {
  acceptMatch(matchId: $matchId) {
    __typename
    ... on Match { id status decidedAt }
    ... on NotFound { id kind }
    ... on Conflict { currentState }
    ... on MutationError { message }
  }
}

mutation QuietEvenings {
  updateNotificationPreferences(input: {
    channels: [{kind: PROGRESS_CONFIDENCE_DROPPED, channels: [IN_APP, EMAIL]}],
    quietHours: {start: "21:00", end: "08:00"}, digest: DAILY, digestHour: 8
  }) {
    __typename
    ... on NotificationPreferences { channels { kind channels } digest }
    ... on ValidationError { problems { path message } }
  }
}

# Live notifications: a graphql-ws client sends the token in connection_init, e.g.
# connectionParams: {Authorization: "Bearer <token>"} (GraphiQL's headers stay on HTTP).
subscription Live {
  notifications { id kind title body subjectId createdAt }
}
"""
