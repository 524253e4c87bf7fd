import { useSearchParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { ProgressDetail } from "./ProgressDetail";

const ModulesQuery = graphql(`
  query MenteeModules($menteeId: ID!) {
    menteeProgress(menteeId: $menteeId) {
      menteeId
      modules {
        moduleId
        title
      }
    }
  }
`);

/** A mentee's history in detail, its modules named, opened on what the address points at
 * (``?checkIn=``, ``?session=``, ``?milestone=``, ``?module=``: a notification's subject). */
export function MenteeHistory({ menteeId }: { menteeId: string }) {
  const [params] = useSearchParams();
  const [result] = useQuery({ query: ModulesQuery, variables: { menteeId } });
  const modules = result.data?.menteeProgress?.modules ?? [];
  return (
    <ProgressDetail
      menteeId={menteeId}
      modules={modules}
      focus={{
        checkIn: params.get("checkIn"),
        session: params.get("session"),
        milestone: params.get("milestone"),
        module: params.get("module"),
      }}
    />
  );
}
