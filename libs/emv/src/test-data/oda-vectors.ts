import raw from './oda.json';

interface KeyExpectation {
  modulus_length: number;
  modulus: string;
  exponent: string;
  expiry_mmyy: string;
  serial_number: string;
  hash_algorithm: number;
  public_key_algorithm: number;
}

/** Typed view of oda.json: the Visa sample has the SDA fields, the Mastercard one the CDA fields. */
export interface OdaVector {
  name: string;
  source: string;
  ca_public_key: {
    rid: string;
    index: string;
    modulus: string;
    exponent: string;
    checksum: string;
  };
  card_data: Record<'5A' | '92' | '9F32' | '9F47' | '9F48', string>;
  issuer_public_key_certificate: string;
  issuer_public_key_certificate_corrupted: string;
  expected_issuer_public_key: KeyExpectation & { issuer_identifier: string };
  icc_public_key_certificate: string;
  icc_public_key_certificate_corrupted: string;
  expected_icc_public_key: KeyExpectation & { pan: string; hash_result: string };
  signed_static_application_data: string;
  signed_static_application_data_corrupted: string;
  expected_signed_static_application_data: {
    data_authentication_code: string;
    hash_result: string;
  };
  signed_dynamic_application_data: string;
  signed_dynamic_application_data_corrupted: string;
  unpredictable_number: string;
  expected_signed_dynamic_application_data: {
    icc_dynamic_number: string;
    cryptogram_information_data: string;
    application_cryptogram: string;
    transaction_data_hash_code: string;
    hash_result: string;
  };
}

export const [visaSample, mastercardSample] = raw.vectors as unknown as [OdaVector, OdaVector];
