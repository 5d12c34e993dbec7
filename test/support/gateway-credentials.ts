/** The client credentials the gateway tests use in each personality (recorded fixtures carry them). */
export const WSO2 = { consumerKey: 'edubridge-ck-7f3a', consumerSecret: 'cs-9b21-e4d0' };
export const VNPT = {
  accessKey: 'AK-H29-EDU-0001',
  secretKey: 'SK-5c8e1f',
  appName: 'EDUBRIDGE',
  partnerCode: '000.00.00.H29',
  partnerCodeCus: '000.00.15.H29',
};
export const XROAD = {
  client: 'VN/GOV/000.00.00.H29/EDUBRIDGE',
  apiKey: 'apikey-31f0c2',
  userName: 'edubridge.hcm',
  secretKey: 's3cr3t-Key',
};
