/** Parameter constraints from the IAM API model. */
export const ROLE_NAME = {
  required: true,
  min: 1,
  max: 64,
  pattern: { regex: /^[\w+=,.@-]+$/, text: '[\\w+=,.@-]+' },
};
export const POLICY_NAME = {
  required: true,
  min: 1,
  max: 128,
  pattern: { regex: /^[\w+=,.@-]+$/, text: '[\\w+=,.@-]+' },
};
export const PATH = {
  min: 1,
  max: 512,
  pattern: {
    regex: /^(?:\u002F|\u002F[\u0021-\u007E]+\u002F)$/,
    text: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
  },
};
export const POLICY_DOCUMENT = {
  required: true,
  min: 1,
  max: 131072,
  // AWS's own pattern for policy text admits tab, LF and CR, hence control characters in the class.
  // eslint-disable-next-line no-control-regex
  pattern: { regex: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/, text: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
};
export const DESCRIPTION = { max: 1000 };
export const POLICY_ARN = { required: true, min: 20, max: 2048 };
export const MAX_ITEMS = { min: 1, max: 1000 };
export const MARKER = { min: 1, max: 320 };

/** IAM quotas that matter to the BYOK setup. */
export const INLINE_ROLE_POLICY_BYTES = 10_240;
export const MANAGED_POLICY_BYTES = 6_144;
export const TRUST_POLICY_BYTES = 2_048;
