// Experiments: variants of one training (rank=4; rank=8; mode=full) trained on one dataset, each rendering the same
// prompts × seeds as the base model; shown as a table (steps, wall time, steps/s, loss, scores) and a contact sheet.
import { get, post } from './api.js';
import { $, el, fillSelect, formValues, poll, showError, time } from './ui.js';

export function setUpExperiments() {
  $('experiment-form').addEventListener('submit', (e) => { e.preventDefault(); start(e.target); });
}

export function fillExperimentForm(models, datasets) {
  fillSelect($('experiment-dataset'), datasets.filter((d) => d.status === 'READY')
    .map((d) => [d.datasetId, d.subject || d.datasetId.slice(0, 8)]));
  fillSelect($('experiment-model'), models.filter((m) => m.kind === 'base').map((m) => [m.id, m.id]));
}

/** "rank=8, mode=full" → {rank: 8, mode: "full"}: numbers and booleans as such, the rest as text. */
function overrides(text) {
  return Object.fromEntries(text.split(',').map((pair) => pair.trim()).filter(Boolean).map((pair) => {
    const [name, ...rest] = pair.split('=');
    const value = rest.join('=').trim();
    const typed = value === 'true' || value === 'false' ? value === 'true'
      : value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
    return [name.trim(), typed];
  }));
}

async function start(form) {
  showError('experiment-error');
  const { datasetId, baseModel, classNoun, maxTrainSteps, resolution, priorPreservation, variants, prompts, seeds,
    steps } = formValues(form);
  try {
    await post('/api/v1/experiments', {
      datasetId,
      training: { baseModel, classNoun, maxTrainSteps, resolution, priorPreservation },
      variants: (variants ?? '').split(';').map((v) => v.trim()).filter(Boolean)
        .map((v) => ({ overrides: overrides(v) })),
      prompts: (prompts ?? '').split('\n').map((p) => p.trim()).filter(Boolean),
      seeds: (seeds ?? '1').split(',').map((s) => Number(s.trim())),
      steps,
    });
    await showExperiments();
    poll(async () => {
      const shown = await showExperiments();
      return shown.every((x) => x.status === 'COMPLETED' || x.status === 'FAILED');
    }, 3000);
  } catch (error) {
    showError('experiment-error', error);
  }
}

export async function showExperiments() {
  const page = await get('/api/v1/experiments?limit=10');
  $('experiment-items').replaceChildren(...page.items.map(experiment));
  return page.items;
}

const number = (value, digits) => (value == null ? '' : Number(value).toFixed(digits));

function experiment(view) {
  const prompts = view.request?.render?.grid?.x?.values ?? [];
  const seeds = view.request?.render?.grid?.y?.values ?? [];
  const table = el('table', { class: 'experiment-table', 'aria-label': 'Variants' },
    el('thead', {}, el('tr', {}, ['Variant', 'Training', 'Steps', 'Wall time', 'Steps/s', 'Final loss', 'DINO',
      'CLIP-I', 'CLIP-T', 'DIV'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, view.rows.map((row) => el('tr', {},
      el('th', { scope: 'row' }, row.label),
      el('td', {}, row.trainingStatus ? `${row.trainingStatus} ${number(row.percent, 0)} %` : '—'),
      el('td', {}, row.steps ?? ''), el('td', {}, row.durationMillis ? `${(row.durationMillis / 1000).toFixed(1)} s` : ''),
      el('td', {}, number(row.stepsPerSecond, 2)), el('td', {}, number(row.finalLoss, 4)),
      el('td', {}, number(row.scores?.dino, 3)), el('td', {}, number(row.scores?.clipI, 3)),
      el('td', {}, number(row.scores?.clipT, 3)), el('td', {}, number(row.diversity, 3))))));
  // the contact sheet: a row per variant (and the base model), a column per prompt, the first seed's images
  const sheet = el('table', { class: 'grid experiment-sheet', 'aria-label': 'Contact sheet' },
    el('thead', {}, el('tr', {}, el('th', {}), prompts.map((p) => el('th', { scope: 'col' }, p)))),
    el('tbody', {}, view.rows.map((row) => el('tr', {}, el('th', { scope: 'row' }, row.label),
      prompts.map((p, column) => {
        const image = row.images?.[column];
        return el('td', {}, image ? el('img', { src: image.url, class: 'generated',
          alt: `${row.label}: ${p}, seed ${seeds[0]}` }) : (row.failure ? '✗' : '…'));
      })))));
  const failures = view.rows.filter((row) => row.failure).map((row) => el('p', { class: 'error' },
    `${row.label}: ${row.failure}`));
  return el('article', { class: 'experiment', 'aria-label': `Experiment ${view.experimentId}` },
    el('header', {}, el('strong', { class: 'experiment-status' }, view.status), ` ${time(view.createdAt)}`,
      ` · ${prompts.length} prompt(s) × ${seeds.length} seed(s)`),
    table, sheet, ...failures);
}
