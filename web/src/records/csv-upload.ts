// Uploads a CSV file to POST /api/records/import with XMLHttpRequest, whose upload events give the
// progress bar its numbers (fetch has none); failures become the same ApiError as every other call.

import type { EntityType } from '@domain/definition.js';
import { ApiError, networkError, problemFromResponse } from '../api/api-error.js';
import type { Session } from '../api/session.js';
import type { UpsertAnswer } from '../api/types.js';

export interface UploadProgress {
  loaded: number;
  total: number;
}

export function uploadCsv(options: {
  type: EntityType;
  body: Blob | string;
  session: Session;
  onProgress: (progress: UploadProgress) => void;
  /** The upload went out; the server is reading the rows. */
  onUploaded?: () => void;
  signal?: AbortSignal;
}): Promise<UpsertAnswer> {
  const { type, body, session, onProgress, onUploaded, signal } = options;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/records/import?type=${encodeURIComponent(type)}`);
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('authorization', `Bearer ${session.token}`);
    if (session.csrfToken !== null) xhr.setRequestHeader('x-csrf-token', session.csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    };
    xhr.upload.onload = () => onUploaded?.();
    xhr.onerror = () => reject(networkError(new Error('upload failed')));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(problemFromResponse(xhr.status, xhr.responseText));
        return;
      }
      try {
        resolve(JSON.parse(xhr.responseText) as UpsertAnswer);
      } catch {
        reject(
          new ApiError(
            xhr.status,
            'bad_response',
            'The server answered with something that is not JSON.',
            'Bad answer',
          ),
        );
      }
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
