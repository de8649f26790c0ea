/**
 * Entry point of the web client bundle (`static/dist/main.js` + `main.css`): registers every
 * component; the page (`pages.ts`) contains `<erp-app>`, which boots the client.
 */
import './main.css';
import './erp-app.ts';
import './erp-login.ts';
import './erp-menu.ts';
import './erp-action-manager.ts';
import './erp-list-view.ts';
import './erp-form-view.ts';
import './erp-kanban-view.ts';
import './erp-graph-view.ts';
import './erp-search-bar.ts';
import './erp-chatter.ts';
import './erp-dialog.ts';
import './erp-notifications.ts';
import './erp-progress-bar.ts';
import './widget-map.ts';
