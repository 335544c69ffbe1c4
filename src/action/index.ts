// The Action's entry point (action.yml runs dist/index.js, its bundle): it only runs the Action.

import { run } from './main.js';

void run();
