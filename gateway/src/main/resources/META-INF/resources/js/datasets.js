// Page 1: photos → dataset. Drag-and-drop with thumbnails, upload progress, then the dataset report.
import { get, upload } from './api.js';
import { $, el, poll, showError, time } from './ui.js';

let onChange = () => {};
let stopPolling = () => {};

export function setUpDatasets(changed) {
  onChange = changed;
  const input = $('photos');
  const zone = $('drop-zone');
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    input.files = e.dataTransfer.files;
    showThumbnails(input.files);
  });
  input.addEventListener('change', () => showThumbnails(input.files));
  $('upload-form').addEventListener('submit', (e) => { e.preventDefault(); send(e.target); });
}

function showThumbnails(files) {
  $('thumbnails').replaceChildren(...[...files].map((file) => el('li', {},
    file.type.startsWith('image/')
      ? el('img', { src: URL.createObjectURL(file), alt: file.name, onload: (e) => URL.revokeObjectURL(e.target.src) })
      : el('span', { class: 'file-tile' }, file.name),
    el('small', {}, `${file.name} (${Math.round(file.size / 1024)} KB)`))));
}

async function send(form) {
  showError('upload-error');
  const files = $('photos').files;
  if (!files.length) {
    $('upload-error').textContent = 'Choose or drop some photos first.';
    return;
  }
  const data = new FormData();
  for (const file of files) data.append('images', file, file.name);
  for (const name of ['subject', 'instancePrompt', 'cropMode', 'resolution']) {
    const value = form.elements[name].value.trim();
    if (value) data.append(name, value);
  }
  const progress = $('upload-progress');
  progress.hidden = false;
  progress.value = 0;
  try {
    const dataset = await upload('/api/v1/datasets', data, (percent) => { progress.value = percent; });
    progress.value = 100;
    showDataset(dataset.datasetId);
    onChange();
  } catch (error) {
    showError('upload-error', error);
  }
}

/** Shows a dataset and follows it until it is READY or REJECTED. */
export function showDataset(datasetId) {
  stopPolling();
  const render = (view) => {
    $('dataset-status').textContent = `Dataset ${view.subject || view.datasetId}: ${view.status}`
      + (view.version ? ` (version ${view.version}, ${view.images.length} training images)` : '');
    $('dataset-report').replaceChildren(report(view));
    return view.status !== 'INGESTING';
  };
  get(`/api/v1/datasets/${datasetId}`).then((view) => {
    if (!render(view)) {
      stopPolling = poll(async () => {
        const done = render(await get(`/api/v1/datasets/${datasetId}`));
        if (done) onChange();
        return done;
      });
    }
  });
}

function report(view) {
  const r = view.report;
  const rows = (r?.images ?? []).map((image, i) => {
    const training = view.images.find((t) => t.key === image.processedKey);
    return el('tr', {},
      el('td', {}, training?.url ? el('img', { src: training.url, alt: `Training image ${i + 1}`, class: 'thumb' }) : ''),
      el('td', {}, image.source),
      el('td', {}, `${image.width}×${image.height}`),
      el('td', {}, image.faceFound ? (image.faceKind || 'yes') : 'no'),
      el('td', {}, `${Math.round(image.blurScore)}${image.blurry ? ' (blurry)' : ''}`),
      el('td', {}, image.caption || ''),
      el('td', {}, [image.duplicateGroup != null ? `near-duplicate group ${image.duplicateGroup}` : '',
        image.processedKey ? '' : 'left out', ...(image.notes ?? [])]
        .filter(Boolean).join('; ')));
  });
  const rejected = [...(r?.rejected ?? []).map((f) => `${f.source}: ${f.reason} — ${f.message}`),
    ...(view.status === 'REJECTED' || !r ? view.problems : [])];
  return el('div', {},
    rows.length ? el('table', { class: 'report', 'aria-label': 'Dataset report' },
      el('thead', {}, el('tr', {}, ...['Image', 'Photo', 'Size', 'Face', 'Sharpness', 'Caption', 'Notes']
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)) : '',
    rejected.length ? el('div', { class: 'rejected' }, el('h4', {}, 'Rejected'),
      el('ul', {}, rejected.map((line) => el('li', {}, line)))) : '',
    r?.warnings?.length ? el('div', { class: 'warnings' }, el('h4', {}, 'Warnings'),
      el('ul', {}, r.warnings.map((w) => el('li', {}, w)))) : '');
}

export async function listDatasets() {
  const page = await get('/api/v1/datasets?limit=50');
  $('dataset-list').replaceChildren(...page.items.map((d) => el('li', {},
    el('button', { type: 'button', class: 'link', onclick: () => showDataset(d.datasetId) },
      `${d.subject || d.datasetId.slice(0, 8)} — ${d.status}${d.version ? ` v${d.version}` : ''}`),
    el('small', {}, ` ${time(d.createdAt)}`))));
  return page.items;
}
