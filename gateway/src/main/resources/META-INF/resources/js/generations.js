// Page 3: generate with prompt, seed, guidance and LoRA scales, single or as a grid, optionally steered by a
// ControlNet; the gallery shows every image with the parameters it was rendered with and the control maps fed, and
// scores a completed generation against a training's photos (the DreamBooth paper's DINO, CLIP-I, CLIP-T, DIV).
import { get, post, postForBlob } from './api.js';
import { $, el, fillSelect, formValues, poll, showError, time } from './ui.js';

const AXES = [['seed', 'seed'], ['steps', 'steps'], ['guidanceScale', 'guidance'], ['prompt', 'prompt'],
  ['unetScale', 'UNet LoRA scale'], ['textEncoderScale', 'text encoder LoRA scale'], ['controlScale', 'control scale']];

export function setUpGenerations() {
  fillSelect($('grid-x'), AXES, 'none');
  fillSelect($('grid-y'), AXES, 'none');
  $('generate-form').addEventListener('submit', (e) => { e.preventDefault(); generate(e.target); });
  $('control-image').addEventListener('change', async () => {
    const file = $('control-image').files[0];
    $('control-preview').hidden = !file;
    if (file) $('control-preview').src = await dataUrl(file);
  });
  $('control-dataset-image').addEventListener('change', () => {
    const url = datasetImageUrls.get($('control-dataset-image').value);
    if ($('control-image').files[0]) return; // a chosen file wins, as in controls()
    $('control-preview').hidden = !url;
    if (url) $('control-preview').src = url;
  });
  for (const id of ['control-image', 'control-dataset-image', 'control-preprocessor', 'control-low', 'control-high',
    'width', 'height']) {
    $(id).addEventListener('change', () => previewMap().catch((error) => showError('generate-error', error)));
  }
}

/**
 * The canny map the ControlNet will be fed, detected by the gateway as the sampler detects it (same thresholds, the
 * form's output size), shown beside the chosen image; hidden for preprocessor none or without an image.
 */
async function previewMap() {
  const preview = $('control-map-preview');
  const file = $('control-image').files[0];
  const picked = $('control-dataset-image').value;
  if ($('control-preprocessor').value !== 'canny' || (!file && !picked)) {
    preview.hidden = true;
    return;
  }
  const [datasetId, key] = picked.split(' ');
  const number = (id) => ($(id).value === '' ? undefined : Number($(id).value));
  const map = await postForBlob('/api/v1/control-maps/canny', {
    ...(file ? { image: await dataUrl(file) } : { datasetImage: { datasetId, key } }),
    lowThreshold: number('control-low'), highThreshold: number('control-high'),
    width: number('width'), height: number('height'),
  });
  URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(map);
  preview.hidden = false;
}

/** Presigned URLs of the dataset images the control image picker offers, by option value. */
const datasetImageUrls = new Map();

/** A file as a data: URL, the form the API takes control images in (base64 inside the JSON body). */
function dataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(new Error(`Cannot read ${file.name}.`));
    reader.readAsDataURL(file);
  });
}

/** The ControlNet unit of the form, or none when no ControlNet is chosen. */
async function controls(values) {
  const { controlModel, controlPreprocessor, controlLowThreshold, controlHighThreshold, controlScale,
    controlGuidanceStart, controlGuidanceEnd, controlGuessMode } = values;
  if (!controlModel) return undefined;
  const file = $('control-image').files[0];
  const picked = $('control-dataset-image').value;
  if (!file && !picked) throw new Error('A ControlNet needs a control image: a file or one of your dataset images.');
  const [datasetId, key] = picked.split(' ');
  const image = file ? { image: await dataUrl(file) } : { datasetImage: { datasetId, key } };
  return [{ model: controlModel, ...image, preprocessor: controlPreprocessor,
    lowThreshold: controlLowThreshold, highThreshold: controlHighThreshold, scale: controlScale,
    guidanceStart: controlGuidanceStart, guidanceEnd: controlGuidanceEnd, guessMode: controlGuessMode }];
}

/**
 * The request body from the form: LoRA by training id with both scales, a ControlNet unit when one is chosen, a grid
 * when both axes are chosen.
 */
async function spec(form) {
  const all = formValues(form);
  const control = await controls(all);
  const { trainingId, embeddingTrainingId, unetScale, textEncoderScale, gridX, gridXValues, gridY, gridYValues,
    ...values } = Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('control')));
  if (trainingId) values.loras = [{ trainingId, unetScale, textEncoderScale }];
  if (embeddingTrainingId) values.embeddings = [embeddingTrainingId];
  if (control) values.controls = control;
  const axis = (parameter, text) => ({ parameter, values: text.split(parameter === 'prompt' ? '|' : ',').map((v) => v.trim()) });
  if (gridX && gridY) values.grid = { x: axis(gridX, gridXValues ?? ''), y: axis(gridY, gridYValues ?? '') };
  else if (gridX || gridY) throw new Error('A grid needs both an X and a Y axis.');
  return values;
}

async function generate(form) {
  showError('generate-error');
  try {
    const generation = await post('/api/v1/generations', await spec(form));
    await showGallery();
    poll(async () => {
      const view = await get(`/api/v1/generations/${generation.generationId}`);
      if (view.status === 'REQUESTED') return false;
      await showGallery();
      return true;
    });
  } catch (error) {
    showError('generate-error', error);
  }
}

/** The caller's completed trainings a generation can be scored against: [trainingId, label]. */
let scoringTrainings = [];

export function fillGenerateForm(models, trainings, datasets) {
  const label = (m) => [m.id, m.manifest?.name ? `${m.manifest.name} (${m.id})` : m.id];
  fillSelect($('generate-model'), models.filter((m) => m.kind === 'base').map(label));
  fillSelect($('control-model'), models.filter((m) => m.kind === 'controlnet').map(label), 'none');
  const done = trainings.filter((t) => t.status === 'COMPLETED');
  const named = (t) => `${t.request?.instancePrompt ?? t.trainingId.slice(0, 8)} (${t.result.steps} steps)`;
  scoringTrainings = done.map((t) => [t.trainingId, named(t)]);
  fillSelect($('adapter'), done.filter((t) => !t.result.modelId && t.request?.mode !== 'textual_inversion')
    .map((t) => [t.trainingId, named(t)]), 'none');
  fillSelect($('embedding'), done.filter((t) => t.result.embeddingKey)
    .map((t) => [t.trainingId, `${t.request.newTokens.join('')} — ${named(t)}`]), 'none');
  datasetImageUrls.clear();
  const images = datasets.filter((d) => d.status === 'READY').flatMap((d) => d.images.map((image, i) => {
    const value = `${d.datasetId} ${image.key}`; // a dataset id holds no space; the API's keys neither
    datasetImageUrls.set(value, image.url);
    return [value, `${d.subject || d.datasetId.slice(0, 8)} — image ${i + 1}`];
  }));
  fillSelect($('control-dataset-image'), images, 'none');
}

export async function showGallery() {
  const page = await get('/api/v1/generations?limit=30');
  const evaluations = await get('/api/v1/evaluations?limit=100');
  // an evaluation scores a generation's images: it belongs to the card whose first image it names first
  const scored = new Map(evaluations.items.map((e) => [e.request?.images?.[0]?.key, e]));
  $('gallery-items').replaceChildren(...page.items.map((view) => card(view, scored.get(view.images[0]?.key))));
}

/** Scores (or the form that asks for them) of a COMPLETED generation. */
function scoring(view, evaluation) {
  if (view.status !== 'COMPLETED') return '';
  if (evaluation?.status === 'COMPLETED') {
    const s = evaluation.scores;
    const div = evaluation.diversity == null ? '' : ` · DIV ${evaluation.diversity.toFixed(3)}`;
    return el('p', { class: 'scores' }, `DINO ${s.dino.toFixed(3)} · CLIP-I ${s.clipI.toFixed(3)}`
      + ` · CLIP-T ${s.clipT.toFixed(3)}${div} (${s.generated} generated vs ${s.real} real)`);
  }
  const error = el('p', { class: 'error', role: 'alert' },
    evaluation?.failure ? `${evaluation.failure.code}: ${evaluation.failure.message}` : '');
  if (evaluation?.status === 'REQUESTED') return el('p', { class: 'scores' }, 'Scoring…');
  const select = el('select', { name: 'trainingId', 'aria-label': 'Score against the photos of training' });
  fillSelect(select, scoringTrainings);
  return el('form', { class: 'score', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const started = await post('/api/v1/evaluations', { generationIds: [view.generationId],
        trainingId: select.value || undefined });
      poll(async () => {
        const now = await get(`/api/v1/evaluations/${started.evaluationId}`);
        if (now.status === 'REQUESTED') return false;
        await showGallery();
        return true;
      });
    } catch (failure) {
      error.textContent = failure.message;
    }
  } }, select, el('button', { type: 'submit' }, 'Score against its photos'), error);
}

function card(view, evaluation) {
  const r = view.request;
  const lora = r?.loras?.[0];
  const parameters = r ? [
    ['Prompt', r.prompt], ['Negative prompt', r.negativePrompt], ['Steps', r.steps], ['Guidance', r.guidanceScale],
    ['Scheduler', r.scheduler], ['Size', `${r.width}×${r.height}`], ['Seed', r.seed],
    ['LoRA', lora ? `UNet ${lora.unetScale}, text encoder ${lora.textEncoderScale}` : 'none'],
    ['Embeddings', (r.embeddings ?? []).length ? r.embeddings.map((k) => k.split('/').pop()).join(', ') : ''],
    ...(r.controls ?? []).map((c, i) => [`ControlNet ${i}`, `${c.model}, ${c.preprocessor}, scale ${c.scale},`
      + ` steps ${c.guidanceStart}–${c.guidanceEnd}${c.guessMode ? ', guess mode' : ''}`]),
  ].filter(([, v]) => v !== null && v !== undefined && v !== '') : [];
  return el('article', { class: 'generation', 'aria-label': `Generation ${r?.prompt ?? view.generationId}` },
    el('header', {}, el('strong', {}, view.status), ` ${time(view.createdAt)}`,
      view.totalMillis ? ` · ${(view.totalMillis / 1000).toFixed(1)} s` : ''),
    el('dl', { class: 'parameters' }, parameters.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))])),
    view.failure ? el('p', { class: 'error' }, `${view.failure.code}: ${view.failure.message}`) : '',
    r?.grid ? grid(view) : el('div', { class: 'images' }, view.images.map((image) => el('figure', {},
      el('a', { href: image.url, target: '_blank' },
        el('img', { src: image.url, alt: `Generated image, seed ${image.seed}`, class: 'generated' })),
      el('figcaption', {}, `seed ${image.seed}`)))),
    (view.controlMaps ?? []).length ? el('div', { class: 'images control-maps' }, view.controlMaps.map((map, i) =>
      el('figure', {}, el('a', { href: map.url, target: '_blank' },
        el('img', { src: map.url, alt: `Control map ${i}`, class: 'generated' })),
      el('figcaption', {}, `control map ${i}`)))) : '',
    scoring(view, evaluation));
}

/** A grid: one column per X value, one row per Y value, cells in row-major order as the sampler renders them. */
function grid(view) {
  const { x, y } = view.request.grid;
  const label = (axis, value) => `${AXES.find(([p]) => p === axis.parameter)?.[1] ?? axis.parameter} ${value}`;
  const table = el('table', { class: 'grid', 'aria-label': 'Grid' },
    el('thead', {}, el('tr', {}, el('th', {}), x.values.map((v) => el('th', { scope: 'col' }, label(x, v))))),
    el('tbody', {}, y.values.map((yv, row) => el('tr', {}, el('th', { scope: 'row' }, label(y, yv)),
      x.values.map((xv, col) => {
        const image = view.images[row * x.values.length + col];
        return el('td', {}, image ? el('img', { src: image.url, class: 'generated',
          alt: `Grid cell ${label(x, xv)}, ${label(y, yv)}` }) : '…');
      })))));
  return el('div', {}, table, view.grid ? el('p', {}, el('a', { href: view.grid.url, target: '_blank' }, 'Whole grid image')) : '');
}
