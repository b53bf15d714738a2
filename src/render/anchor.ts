/**
 * Anchors within a report page: the one function that turns a heading into its id, used by the HTML
 * renderer for every heading and by the views for the links that point at them (the table of
 * contents, the summary, the recommendations), so a link and its target never drift apart.
 */

/** `9. Findings` → `findings`; a rule id → the id in lower case. Only a-z, 0-9 and `-`: safe in Markdown and HTML. */
export const anchorOf = (text: string): string =>
  text
    .replace(/^\d+\.\s*/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'section';

/** A finding's anchor: its rule id, which starts its heading in the Findings section. */
export const findingAnchor = (check: { id: string }): string => anchorOf(check.id);
