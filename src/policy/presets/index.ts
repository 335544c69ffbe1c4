// The built-in policies by name: `webhook` (the default), `mozilla-modern`,
// `mozilla-intermediate`.

import { type Policy, PRESET_NAMES, type PresetName } from '../policy.js';
import { mozillaPreset } from './mozilla.js';
import { webhookPreset } from './webhook.js';

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** A fresh copy of a preset's policy, which the caller may change. */
export function presetPolicy(name: PresetName): Policy {
  switch (name) {
    case 'webhook':
      return webhookPreset();
    case 'mozilla-modern':
      return mozillaPreset('modern');
    case 'mozilla-intermediate':
      return mozillaPreset('intermediate');
  }
}
