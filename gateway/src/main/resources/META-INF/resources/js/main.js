// Booth's web client: sign in with an API key, then photos → training → generation → gallery.
import { apiKey, get } from './api.js';
import { listDatasets, setUpDatasets } from './datasets.js';
import { setUpDemo, showDemo } from './demo.js';
import { fillExperimentForm, setUpExperiments, showExperiments } from './experiments.js';
import { fillGenerateForm, setUpGenerations, showGallery } from './generations.js';
import { listTrainings, setUpTrainings } from './trainings.js';
import { $, showError } from './ui.js';

let models = [];

/**
 * Reloads every list that depends on jobs (datasets feed the training form, trainings the generate form) and the
 * installed models (an admin may have added one since).
 */
async function refresh() {
  models = await get('/api/v1/models');
  showDemo(models);
  const datasets = await listDatasets();
  const trainings = await listTrainings(datasets, models);
  fillGenerateForm(models, trainings, datasets);
  fillExperimentForm(models, datasets);
}

async function signIn(key) {
  apiKey.set(key);
  try {
    const me = await get('/api/v1/me');
    $('signed-in-as').textContent = `Signed in as ${me.ownerId} (key ${me.keyName})`;
    $('account').hidden = false;
    $('sign-in-section').hidden = true;
    $('app').hidden = false;
    await refresh();
    await showGallery();
    await showExperiments();
  } catch (error) {
    apiKey.clear();
    showError('sign-in-error', error.status === 401 ? new Error('That API key is not valid.') : error);
  }
}

setUpDatasets(refresh);
setUpDemo(refresh);
setUpTrainings(refresh);
setUpGenerations();
setUpExperiments();
$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  showError('sign-in-error');
  signIn($('api-key').value.trim());
});
$('sign-out').addEventListener('click', () => {
  apiKey.clear();
  location.reload();
});
if (apiKey.get()) signIn(apiKey.get());
