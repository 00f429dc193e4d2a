// What a caught value says: the one way every log line, status field and JSON error turns an exception into text.

/** The message of an Error, else the value as a string (a rejection may carry anything). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
