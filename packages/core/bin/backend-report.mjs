#!/usr/bin/env node
// Prints which TensorFlow.js backend topk selects here for training and for prediction, and why.
import { formatBackendSelection, selectBackend } from '../dist/index.js';

for (const purpose of ['train', 'predict']) {
  const selection = await selectBackend({ purpose });
  console.log(formatBackendSelection(selection));
}
