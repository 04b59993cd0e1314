// The first screen's "Try the demo subject": the world subject's five photos → a dataset → a DreamBooth LoRA on
// booth-world (Booth's own model of its shape world) → the same prompts and seeds without and with it, so a newcomer
// sees a subject learned within minutes, with nothing to bring.
import { get, post, upload } from './api.js';
import { $, el, showError } from './ui.js';

const DIR = 'demo/zigzag-star/';
// The recipe (photos, training, sampling, prompts) lives in one file, which ./booth world report follows too.
const recipe = fetch(`${DIR}recipe.json`).then((response) => {
  if (!response.ok) throw new Error(`The demo recipe could not be read (${response.status})`);
  return response.json();
});

let onChange = () => {};

export function setUpDemo(changed) {
  onChange = changed;
  $('try-demo').addEventListener('click', run);
  recipe.then((r) => $('demo-photos').replaceChildren(...r.photos.map((name, i) => el('li', {},
    el('img', { src: DIR + name, alt: `Demo subject photo ${i + 1}`, class: 'thumb' })))))
    .catch((error) => showError('demo-error', error));
}

/** Shows the demo only where its model is installed. */
export function showDemo(models) {
  recipe.then((r) => { $('demo').hidden = !models.some((m) => m.id === r.training.baseModel); }, () => {});
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** GETs {@code path} every second until {@code done} says the view is final; {@code seen} sees every view. */
async function until(path, done, seen = () => {}) {
  for (;;) {
    const view = await get(path);
    seen(view);
    if (done(view)) return view;
    await sleep(1000);
  }
}

function say(text) {
  $('demo-status').textContent = text;
}

async function run() {
  const button = $('try-demo');
  button.disabled = true;
  showError('demo-error');
  $('demo-results').replaceChildren();
  const progress = $('demo-progress');
  try {
    const { photos, subject, instancePrompt, training: spec, sampling, prompts } = await recipe;
    say(`Uploading the ${photos.length} photos…`);
    const data = new FormData();
    for (const name of photos) data.append('images', await (await fetch(DIR + name)).blob(), name);
    data.append('subject', subject);
    data.append('instancePrompt', instancePrompt);
    data.append('cropMode', 'centre');
    data.append('resolution', '256');
    const dataset = await upload('/api/v1/datasets', data, () => {});
    const ready = await until(`/api/v1/datasets/${dataset.datasetId}`, (v) => v.status !== 'INGESTING');
    if (ready.status !== 'READY') throw new Error(`The demo dataset was ${ready.status}: ${ready.problems.join('; ')}`);
    onChange();

    say(`Training a LoRA on ${spec.baseModel} (class images first, then ${spec.maxTrainSteps} steps)…`);
    progress.hidden = false;
    const training = await post('/api/v1/trainings', { ...spec, datasetId: dataset.datasetId });
    const trained = await until(`/api/v1/trainings/${training.trainingId}`,
      (v) => ['COMPLETED', 'FAILED'].includes(v.status), (v) => { progress.value = v.percent; });
    if (trained.status !== 'COMPLETED') {
      throw new Error(`The demo training failed: ${trained.failure?.message ?? trained.status}`);
    }
    onChange();

    say('Generating the same prompts without and with the LoRA…');
    const lora = [{ trainingId: training.trainingId, unetScale: 1, textEncoderScale: 1 }];
    const rows = [];
    for (const prompt of prompts) {
      rows.push([prompt, await generate({ baseModel: spec.baseModel, ...sampling, prompt }),
        await generate({ baseModel: spec.baseModel, ...sampling, prompt, loras: lora })]);
    }
    $('demo-results').replaceChildren(el('table', { class: 'before-after', 'aria-label': 'Before and after' },
      el('thead', {}, el('tr', {}, ...['Prompt', 'booth-world', 'with the demo LoRA']
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map(([prompt, before, after]) => el('tr', {},
        el('td', {}, prompt),
        el('td', {}, el('img', { src: before, alt: `${prompt}, before`, class: 'thumb' })),
        el('td', {}, el('img', { src: after, alt: `${prompt}, after`, class: 'thumb' })))))));
    say('Done. Compare the columns: with the LoRA, stars should wear the black-and-yellow zigzag band and the red'
      + ' dot of the photos. Train your own subject below.');
    onChange();
  } catch (error) {
    say('');
    showError('demo-error', error);
  } finally {
    progress.hidden = true;
    button.disabled = false;
  }
}

/** One image as {@code request} asks: its URL once generated. */
async function generate(request) {
  const generation = await post('/api/v1/generations', request);
  const view = await until(`/api/v1/generations/${generation.generationId}`, (v) => ['COMPLETED', 'FAILED'].includes(v.status));
  if (view.status !== 'COMPLETED') throw new Error(`A demo generation failed: ${view.failure?.message ?? view.status}`);
  return view.images[0].url;
}
