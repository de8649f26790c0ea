import { defineAddon } from '../../core/modules/manifest.ts';

export default defineAddon({
  name: 'mail',
  version: '1.0.2',
  summary: 'Chatter (messages, followers, tracking), outgoing mail queue and mail aliases',
  category: 'Productivity/Discuss',
  depends: ['base'],
  data: [
    'security/ir.model.access.csv',
    'data/mail_data.xml',
    'views/mail_menus.xml',
    'views/mail_mail_views.xml',
    'views/mail_gateway_message_views.xml',
    'views/mail_message_views.xml',
    'views/mail_alias_views.xml',
    'views/mail_message_subtype_views.xml',
    'views/mail_followers_views.xml',
  ],
});
