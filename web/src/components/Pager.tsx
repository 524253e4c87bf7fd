import { useState } from "react";
import { useTranslation } from "react-i18next";

export type Cursors = (string | null)[];

export interface CursorPages {
  /** The cursors of the pages seen, the first page's null; the last is the current page's. */
  cursors: Cursors;
  setCursors: (update: (c: Cursors) => Cursors) => void;
  /** The current page's ``after``. */
  after: string | null;
}

/** The cursor-page state of one paged list: spread it into ``Pager``, ask for ``after``. */
export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<Cursors>([null]);
  return { cursors, setCursors, after: cursors[cursors.length - 1] ?? null };
}

/** Previous and next page buttons over a connection, the cursors of the pages seen kept by the
 * caller (the last is the current page's); ``of`` names the list, for a page with several. */
export function Pager({
  cursors,
  setCursors,
  page,
  of,
}: {
  cursors: Cursors;
  setCursors: (update: (c: Cursors) => Cursors) => void;
  page: { hasNextPage: boolean; endCursor?: string | null } | undefined;
  of?: string;
}) {
  const { t } = useTranslation();
  if (cursors.length < 2 && !page?.hasNextPage) return null;
  return (
    <nav aria-label={of ? t("pages.of", { list: of }) : t("pages.label")} className="pages">
      {cursors.length > 1 ? (
        <button type="button" onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t("pages.previous")}
        </button>
      ) : null}
      {page?.hasNextPage ? (
        <button type="button" onClick={() => setCursors((c) => [...c, page.endCursor ?? null])}>
          {t("pages.next")}
        </button>
      ) : null}
    </nav>
  );
}
