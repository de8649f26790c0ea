/** web: the web client and its routes (Odoo's `web` controllers), mounted through the core's seam. */
import type { Controller } from '../../core/http/index.ts';
import { binaryRoutes } from './controllers/binary.ts';
import { datasetRoutes } from './controllers/dataset.ts';
import { sessionRoutes } from './controllers/session.ts';
import { webClientRoutes } from './controllers/webclient.ts';

export const controllers: Controller[] = [sessionRoutes, datasetRoutes, binaryRoutes, webClientRoutes];
