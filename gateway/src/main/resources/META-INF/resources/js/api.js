// The Booth API from the browser: the API key lives in sessionStorage (this tab only) and goes in every request.
const KEY = 'booth.apiKey';

export const apiKey = {
  get: () => sessionStorage.getItem(KEY),
  set: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An error answer of the API: its problem+json body (title, detail, errors[]). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.errors?.length
      ? problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ')
      : problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function headers(extra = {}) {
  return { Authorization: `Bearer ${apiKey.get()}`, ...extra };
}

async function answer(response) {
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export async function get(path) {
  return answer(await fetch(path, { headers: headers() }));
}

export async function post(path, body) {
  return answer(await fetch(path, {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify(body ?? {}),
  }));
}

/** POST of a JSON body whose answer is a file (an image): a Blob, or the problem thrown as an ApiError. */
export async function postForBlob(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) await answer(response);
  return response.blob();
}

/** Multipart upload with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Authorization', `Bearer ${apiKey.get()}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(100 * e.loaded / e.total);
    xhr.onload = () => {
      const body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: 'the upload was interrupted' }));
    xhr.send(formData);
  });
}

/**
 * Follows server-sent events with the key in a header (EventSource cannot send one): calls onEvent with each
 * event's JSON until the stream ends. Returns a function that stops following.
 */
export function follow(path, onEvent, onEnd) {
  const abort = new AbortController();
  (async () => {
    try {
      const response = await fetch(path, { headers: headers({ Accept: 'text/event-stream' }), signal: abort.signal });
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5)).join('\n');
          buffer = buffer.slice(end + 2);
          if (data.trim()) onEvent(JSON.parse(data));
        }
      }
      onEnd?.();
    } catch (e) {
      if (e.name !== 'AbortError') onEnd?.(e);
    }
  })();
  return () => abort.abort();
}
