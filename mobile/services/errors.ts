/** What went wrong with a request, in a form a screen can show: a line, or per-field errors. */

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Field name -> message, from a 422's `detail[].loc`. */
  readonly fields: Readonly<Record<string, string>>;

  constructor(status: number, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fields = fields;
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

interface ValidationItem {
  loc?: (string | number)[];
  msg?: string;
}

/** An ApiError from a FastAPI error body (`{"detail": "..."}` or `{"detail": [{loc, msg}]}`). */
export function errorFrom(status: number, body: unknown): ApiError {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') return new ApiError(status, detail);
  if (Array.isArray(detail)) {
    const fields: Record<string, string> = {};
    const lines: string[] = [];
    for (const item of detail as ValidationItem[]) {
      const loc = (item.loc ?? []).filter((part) => part !== 'body' && part !== 'query');
      const field = loc.length ? String(loc[0]) : '';
      const message = item.msg ?? 'invalid';
      if (field && !fields[field]) fields[field] = message;
      const path = loc.join('.');
      if (path && !fields[path]) fields[path] = message;
      lines.push(field ? `${loc.join('.')}: ${message}` : message);
    }
    return new ApiError(status, lines.join('; ') || `HTTP ${status}`, fields);
  }
  return new ApiError(status, `HTTP ${status}`);
}

/** The one-line message for any thrown thing. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
