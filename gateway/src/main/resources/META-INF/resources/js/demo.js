// The first screen's "Try the demo subject": the world subject's five photos → a dataset → a DreamBooth LoRA on
// booth-world (Booth's own model of its shape world) → the same prompts and seeds without and with it, so a newcomer
// sees a subject learned within minutes, with nothing to bring.
import { get, post, upload } from './api.js';
import { $, el, showError } from './ui.js';

export const DEMO_MODEL = 'booth-world';
const PHOTOS = ['00', '01', '02', '03', '04'].map((n) => `demo/zigzag-star/${n}.png`);
const PROMPTS = ['a photo of sks star on the beach', 'a photo of sks star in the sky', 'a photo of sks star on grass'];
// The world report's recipe (./booth world report): a rank-4 LoRA with prior preservation at the world's 64 px.
const TRAINING = {
  baseModel: DEMO_MODEL, instanceToken: 'sks', classNoun: 'star', mode: 'lora', maxTrainSteps: 400, rank: 4,
  resolution: 64, unetLearningRate: 5e-4, textEncoderLearningRate: 2.5e-4, priorPreservation: true,
  classImageCount: 50,
};
const SAMPLING = { steps: 20, guidanceScale: 5, scheduler: 'dpmpp_2m_karras', seed: 1, width: 64, height: 64 };

let onChange = () => {};

export function setUpDemo(changed) {
  onChange = changed;
  $('demo-photos').replaceChildren(...PHOTOS.map((src, i) => el('li', {},
    el('img', { src, alt: `Demo subject photo ${i + 1}`, class: 'thumb' }))));
  $('try-demo').addEventListener('click', run);
}

/** Shows the demo only where its model is installed. */
export function showDemo(models) {
  $('demo').hidden = !models.some((m) => m.id === DEMO_MODEL);
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
    say('Uploading the five photos…');
    const data = new FormData();
    for (const url of PHOTOS) data.append('images', await (await fetch(url)).blob(), url.split('/').pop());
    data.append('subject', 'zigzag star (demo)');
    data.append('instancePrompt', 'a photo of sks star');
    data.append('cropMode', 'centre');
    data.append('resolution', '256');
    const dataset = await upload('/api/v1/datasets', data, () => {});
    const ready = await until(`/api/v1/datasets/${dataset.datasetId}`, (v) => v.status !== 'INGESTING');
    if (ready.status !== 'READY') throw new Error(`The demo dataset was ${ready.status}: ${ready.problems.join('; ')}`);
    onChange();

    say('Training a LoRA on booth-world (class images first, then 400 steps)…');
    progress.hidden = false;
    const training = await post('/api/v1/trainings', { ...TRAINING, datasetId: dataset.datasetId });
    const trained = await until(`/api/v1/trainings/${training.trainingId}`,
      (v) => ['COMPLETED', 'FAILED'].includes(v.status), (v) => { progress.value = v.percent; });
    if (trained.status !== 'COMPLETED') {
      throw new Error(`The demo training failed: ${trained.failure?.message ?? trained.status}`);
    }
    onChange();

    say('Generating the same prompts without and with the LoRA…');
    const lora = [{ trainingId: training.trainingId, unetScale: 1, textEncoderScale: 1 }];
    const rows = [];
    for (const prompt of PROMPTS) {
      rows.push([prompt, await generate({ prompt }), await generate({ prompt, loras: lora })]);
    }
    $('demo-results').replaceChildren(el('table', { class: 'before-after', 'aria-label': 'Before and after' },
      el('thead', {}, el('tr', {}, ...['Prompt', 'booth-world', 'with the demo LoRA']
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map(([prompt, before, after]) => el('tr', {},
        el('td', {}, prompt),
        el('td', {}, el('img', { src: before, alt: `${prompt}, before`, class: 'thumb' })),
        el('td', {}, el('img', { src: after, alt: `${prompt}, after`, class: 'thumb' })))))));
    say('Done: the LoRA puts the zigzag star into scenes it never saw. Train your own subject below.');
    onChange();
  } catch (error) {
    say('');
    showError('demo-error', error);
  } finally {
    progress.hidden = true;
    button.disabled = false;
  }
}

/** One image of booth-world at the demo's sampling: its URL once generated. */
async function generate(extra) {
  const generation = await post('/api/v1/generations', { baseModel: DEMO_MODEL, ...SAMPLING, ...extra });
  const view = await until(`/api/v1/generations/${generation.generationId}`, (v) => ['COMPLETED', 'FAILED'].includes(v.status));
  if (view.status !== 'COMPLETED') throw new Error(`A demo generation failed: ${view.failure?.message ?? view.status}`);
  return view.images[0].url;
}
