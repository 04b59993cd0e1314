// Page 2: train an adapter, then follow it live: progress bar, loss chart, validation samples and, when the
// training evaluates, its scorecard (DINO, CLIP-I, CLIP-T per validation step).
import { follow, get, post } from './api.js';
import { drawLoss, drawScores } from './chart.js';
import { $, el, fillSelect, formValues, showError, time } from './ui.js';

let onChange = () => {};
let stopFollowing = () => {};
let followed = null;

export function setUpTrainings(changed) {
  onChange = changed;
  $('training-form').addEventListener('submit', (e) => { e.preventDefault(); start(e.target); });
  $('training-mode').addEventListener('change', modeChanged);
  $('cancel-training').addEventListener('click', async () => {
    try {
      await post(`/api/v1/trainings/${followed}/cancel`);
    } catch (error) {
      showError('training-error', error);
    }
  });
}

// A full fine-tune has no rank and learns at diffusers' train_dreambooth rate; a LoRA at train_dreambooth_lora's.
// Pivotal tuning and textual inversion learn new tokens, which then name the subject instead of the instance token.
const UNET_LR = { lora: '0.0001', full: '0.000005', pivotal: '0.0001', textual_inversion: '0.0001' };

function modeChanged() {
  const mode = $('training-mode').value;
  const tokens = mode === 'pivotal' || mode === 'textual_inversion';
  $('rank').disabled = mode === 'full' || mode === 'textual_inversion';
  $('unet-lr').disabled = mode === 'textual_inversion';
  $('unet-lr').value = UNET_LR[mode];
  $('instance-token').disabled = tokens;
  $('select-by').disabled = mode === 'full'; // a full fine-tune keeps its last step
  for (const id of ['new-tokens', 'initializer-token', 'lr-embeddings']) $(id).disabled = !tokens;
  $('new-tokens').required = tokens;
}

/** "<s1><s2>" or "<s1>, <s2>" or "s1 s2" as the API's list of token names. */
function tokenList(text) {
  return text.match(/<[^<>\s]+>/g) ?? text.split(/[,\s]+/).filter(Boolean);
}

async function start(form) {
  showError('training-error');
  const { validationPrompt, ...values } = formValues(form);
  if (validationPrompt) values.validationPrompts = [validationPrompt];
  if (values.newTokens) values.newTokens = tokenList(values.newTokens);
  if (values.evaluate) values.evaluate = values.evaluate === 'true';
  try {
    const training = await post('/api/v1/trainings', values);
    followTraining(training.trainingId);
    onChange();
  } catch (error) {
    showError('training-error', error);
  }
}

/** Shows a training and follows its server-sent events until it ends. */
export function followTraining(trainingId) {
  stopFollowing();
  followed = trainingId;
  $('training-live').hidden = false;
  stopFollowing = follow(`/api/v1/trainings/${trainingId}/events`, render, (error) => {
    if (error) showError('training-error', error);
    onChange();
  });
}

function render(view) {
  const p = view.progress;
  $('training-live-title').textContent = `Training ${view.request?.instancePrompt ?? view.trainingId}`;
  $('training-progress').value = view.percent;
  $('training-status').textContent = [
    `${view.status}${view.cancelRequested && !['COMPLETED', 'FAILED'].includes(view.status) ? ' (cancelling)' : ''}`,
    `${Math.round(view.percent)}%`,
    p ? `step ${p.step}/${p.totalSteps}, loss ${p.loss.toFixed(4)}, ${p.itPerSecond.toFixed(2)} it/s, ETA ${p.etaSeconds} s` : '',
    view.failure ? `${view.failure.code}: ${view.failure.message}` : '',
    view.result ? `${view.result.modelId ? `model ${view.result.modelId}`
      : view.request?.newTokens?.length ? `${view.request.newTokens.join('')} (${view.request.mode})` : 'adapter'} ready`
      + ` (final loss ${view.result.finalLoss.toFixed(4)})` : '',
    view.result?.scores && view.request?.selectBy
      ? `kept step ${view.result.scores.step}, the best by ${view.request.selectBy}` : '',
  ].filter(Boolean).join(' · ');
  drawLoss($('loss-chart'), view.losses);
  $('validation-images').replaceChildren(...view.validationImages.map((image) => el('figure', {},
    el('img', { src: image.url, alt: `Validation sample at step ${image.step ?? 'end'}`, class: 'thumb' }),
    el('figcaption', {}, `step ${image.step ?? 'end'}`))));
  renderScores(view.scores ?? [], view.result?.scores?.step);
  $('cancel-training').hidden = ['COMPLETED', 'FAILED'].includes(view.status);
}

/** The scorecard: a chart and a row per scored step, the kept adapter's step marked. */
function renderScores(scores, keptStep) {
  $('training-scorecard').hidden = !scores.length;
  if (!scores.length) return;
  drawScores($('scores-chart'), scores);
  $('training-scores').tBodies[0].replaceChildren(...scores.map((s) => el('tr',
    s.step === keptStep ? { class: 'kept', title: 'the adapter kept' } : {},
    ...[s.step, s.dino.toFixed(3), s.clipI.toFixed(3), s.clipT.toFixed(3), `${s.generated} × ${s.real}`]
      .map((v) => el('td', {}, String(v))))));
}

/** Says how to turn evaluation on when a CLIP or a DINO encoder is missing. */
function evaluationHint(models) {
  const roles = models.filter((m) => m.kind === 'encoder').map((m) => m.manifest?.configSource);
  const missing = ['clip', 'dino'].filter((role) => !roles.includes(role));
  $('evaluation-hint').textContent = missing.length ? `Evaluation is off: no ${missing.join(' or ')} encoder is`
    + ' installed. An admin installs them with ./booth model install --encoder DIR or POST'
    + ' /api/v1/models?kind=encoder (a zip of a transformers folder: openai/clip-vit-large-patch14 and'
    + ' facebook/dino-vits16 — config.json, model.safetensors, preprocessor_config.json, and the tokenizer for'
    + ' CLIP).' : '';
}

export async function listTrainings(datasets, models) {
  fillSelect($('training-dataset'), datasets.filter((d) => d.status === 'READY')
    .map((d) => [d.datasetId, `${d.subject || d.datasetId.slice(0, 8)} (v${d.version}, ${d.images.length} images)`]));
  evaluationHint(models);
  fillSelect($('training-model'), models.filter((m) => m.kind === 'base').map((m) => [m.id, m.manifest?.name ? `${m.manifest.name} (${m.id})` : m.id]));
  const page = await get('/api/v1/trainings?limit=50');
  $('training-list').replaceChildren(...page.items.map((t) => el('li', {},
    el('button', { type: 'button', class: 'link', onclick: () => followTraining(t.trainingId) },
      `${t.request?.instancePrompt ?? t.trainingId.slice(0, 8)} — ${t.status} ${Math.round(t.percent)}%`),
    el('small', {}, ` ${time(t.createdAt)}`))));
  return page.items;
}
