/** Settings for the AWS clients the handlers and the fleet command make (S3, SES): the collector's timeouts and bounded attempts. */
export { awsClientDefaults } from '../collect/aws/clients.js';
