// The text of a thrown value for an error message: an Error's message, anything else as a string.
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
