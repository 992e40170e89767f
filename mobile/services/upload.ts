/**
 * A candle file sent to the API (`POST /api/market/series`, multipart) with its progress: by
 * XMLHttpRequest, whose upload reports the bytes sent (fetch cannot). Web: the picked `File`;
 * native: the picked file's `uri`, which React Native's FormData streams from the device.
 * Sent once: an upload that got a 401 fails (the session is renewed for the next try).
 */
import { freshAccessToken, refreshSession, type Schemas } from '@/services/api';
import { ApiError, errorFrom } from '@/services/errors';
import { useSession } from '@/store/session';

export interface PickedFile {
  name: string;
  uri: string;
  mimeType?: string | null;
  size?: number | null;
  /** the browser's File (web only) */
  file?: Blob | null;
}

export interface ImportFields {
  pair?: string;
  timeframe?: string;
  exchange?: string;
}

export async function uploadCandles(
  picked: PickedFile,
  fields: ImportFields,
  onProgress: (sent: number, total: number) => void,
): Promise<Schemas['SeriesImportPublic']> {
  const token = await freshAccessToken();
  const form = new FormData();
  if (picked.file) form.append('file', picked.file, picked.name);
  else {
    // React Native's FormData part for a file on the device
    const part = { uri: picked.uri, name: picked.name, type: picked.mimeType || 'text/csv' };
    form.append('file', part as unknown as Blob);
  }
  for (const [name, value] of Object.entries(fields)) {
    if (value?.trim()) form.append(name, value.trim());
  }
  const answer = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${useSession.getState().server}/api/market/series`);
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    request.onload = () => {
      let body: unknown = null;
      try {
        body = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        body = null;
      }
      resolve({ status: request.status, body });
    };
    request.onerror = () => reject(new ApiError(0, 'the server could not be reached'));
    request.send(form);
  });
  const { status, body } = answer;
  if (status >= 200 && status < 300) return body as Schemas['SeriesImportPublic'];
  if (status === 401) void refreshSession();
  throw errorFrom(status, body);
}
