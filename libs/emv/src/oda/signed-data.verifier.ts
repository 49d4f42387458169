import { createHash } from 'node:crypto';
import { bytesEqual, concatBytes, copyBytes } from '../shared/bytes';
import { scanTlv } from '../tlv/tlv.codec';
import { TlvError } from '../tlv/tlv.error';
import { OdaError } from './oda.error';
import type { RsaPublicKey } from './rsa';
import {
  checkHash,
  HASH_LENGTH,
  hashedPart,
  hashResultOf,
  recoverSignedData,
} from './signature-recovery';

const SDA = 'Book 2 §5.4';
const DDA = 'Book 2 §6.5.2';
const CDA = 'Book 2 §6.6.2';

export interface RecoveredStaticSignature {
  readonly hashAlgorithm: number;
  /** Data Authentication Code, stored as 9F45 after a successful SDA. */
  readonly dataAuthenticationCode: Uint8Array;
  readonly hashResult: Uint8Array;
}

/** Steps 1-4 of Book 2 §5.4, without the hash check. */
export function recoverSignedStaticApplicationData(
  issuerPublicKey: RsaPublicKey,
  signedStaticApplicationData: Uint8Array,
): RecoveredStaticSignature {
  return recoverStatic(issuerPublicKey, signedStaticApplicationData).signature;
}

function recoverStatic(
  key: RsaPublicKey,
  signed: Uint8Array,
): { recovered: Uint8Array; signature: RecoveredStaticSignature } {
  const recovered = recoverSignedData(key, signed, {
    what: 'Signed Static Application Data (93)',
    keyName: 'issuer public key',
    clause: SDA,
    format: 0x03,
  });
  return {
    recovered,
    signature: {
      hashAlgorithm: recovered[2],
      dataAuthenticationCode: copyBytes(recovered, 3, 5),
      hashResult: hashResultOf(recovered),
    },
  };
}

export interface SignedStaticDataInput {
  readonly issuerPublicKey: RsaPublicKey;
  /** Signed Static Application Data (93). */
  readonly signedStaticApplicationData: Uint8Array;
  /** Book 3 §10.3 static data to be authenticated (see buildStaticDataToBeAuthenticated). */
  readonly staticDataToBeAuthenticated: Uint8Array;
}

/** EMV Book 2 §5.4: verification of the Signed Static Application Data (SDA). */
export function verifySignedStaticApplicationData(
  input: SignedStaticDataInput,
): RecoveredStaticSignature {
  const { recovered, signature } = recoverStatic(
    input.issuerPublicKey,
    input.signedStaticApplicationData,
  );
  // Step 5: format, hash algorithm, DAC and pad pattern as recovered, then the static data.
  checkHash(
    signature.hashAlgorithm,
    [hashedPart(recovered), input.staticDataToBeAuthenticated],
    signature.hashResult,
    'Signed Static Application Data',
    `${SDA} steps 5-7`,
  );
  return signature;
}

export interface RecoveredDynamicSignature {
  readonly hashAlgorithm: number;
  /** ICC Dynamic Data, LDD bytes. */
  readonly iccDynamicData: Uint8Array;
  /** ICC Dynamic Number (9F4C) from the start of the ICC Dynamic Data. */
  readonly iccDynamicNumber: Uint8Array;
  readonly hashResult: Uint8Array;
}

function recoverDynamic(
  key: RsaPublicKey,
  signed: Uint8Array,
  clause: string,
): { recovered: Uint8Array; signature: RecoveredDynamicSignature } {
  const recovered = recoverSignedData(key, signed, {
    what: 'Signed Dynamic Application Data (9F4B)',
    keyName: 'ICC public key',
    clause,
    format: 0x05,
  });
  const ldd = recovered[3];
  // Header, format, hash algorithm and LDD (4 bytes), then data, pad, hash and trailer (21 bytes).
  if (ldd > recovered.length - 4 - HASH_LENGTH - 1) {
    throw new OdaError(
      'DYNAMIC_DATA_FORMAT',
      `${clause} step 4`,
      `ICC Dynamic Data Length ${ldd} exceeds NIC - 25`,
    );
  }
  const iccDynamicData = copyBytes(recovered, 4, 4 + ldd);
  // Book 2 §6.5.1, §6.6.1: ICC Dynamic Number Length (1) then the number (2-8).
  const idnLength = iccDynamicData[0];
  if (ldd < 1 || idnLength < 2 || idnLength > 8 || idnLength > ldd - 1) {
    throw new OdaError(
      'DYNAMIC_DATA_FORMAT',
      `${clause} step 4`,
      'ICC Dynamic Number length is not 2-8 or overruns the ICC Dynamic Data',
    );
  }
  return {
    recovered,
    signature: {
      hashAlgorithm: recovered[2],
      iccDynamicData,
      iccDynamicNumber: copyBytes(iccDynamicData, 1, 1 + idnLength),
      hashResult: hashResultOf(recovered),
    },
  };
}

export interface DynamicSignatureInput {
  readonly iccPublicKey: RsaPublicKey;
  /** Signed Dynamic Application Data (9F4B) from INTERNAL AUTHENTICATE. */
  readonly signedDynamicApplicationData: Uint8Array;
  /** The DDOL-related data sent in INTERNAL AUTHENTICATE (buildDolData over the DDOL). */
  readonly terminalDynamicData: Uint8Array;
}

/** EMV Book 2 §6.5.2: dynamic signature verification (DDA). */
export function verifyDynamicSignature(input: DynamicSignatureInput): RecoveredDynamicSignature {
  const { recovered, signature } = recoverDynamic(
    input.iccPublicKey,
    input.signedDynamicApplicationData,
    DDA,
  );
  // Step 5: format through pad pattern as recovered, then the terminal dynamic data.
  checkHash(
    signature.hashAlgorithm,
    [hashedPart(recovered), input.terminalDynamicData],
    signature.hashResult,
    'Signed Dynamic Application Data',
    `${DDA} steps 5-7`,
  );
  return signature;
}

export interface CdaDynamicData {
  readonly iccDynamicNumber: Uint8Array;
  readonly cryptogramInformationData: Uint8Array;
  readonly applicationCryptogram: Uint8Array;
  readonly transactionDataHashCode: Uint8Array;
}

/** Book 2 §6.6.1: the ICC Dynamic Data of a CDA signature. */
export function parseCdaDynamicData(iccDynamicData: Uint8Array): CdaDynamicData {
  const l = iccDynamicData[0] ?? 0;
  if (iccDynamicData.length < 1 + l + 1 + 8 + HASH_LENGTH || l < 2 || l > 8) {
    throw new OdaError(
      'DYNAMIC_DATA_FORMAT',
      `${CDA} step 5`,
      'ICC Dynamic Data too short for IDN, CID, AC and Transaction Data Hash Code',
    );
  }
  return {
    iccDynamicNumber: copyBytes(iccDynamicData, 1, 1 + l),
    cryptogramInformationData: copyBytes(iccDynamicData, 1 + l, 2 + l),
    applicationCryptogram: copyBytes(iccDynamicData, 2 + l, 10 + l),
    transactionDataHashCode: copyBytes(iccDynamicData, 10 + l, 10 + l + HASH_LENGTH),
  };
}

/**
 * Steps 1-8 of Book 2 §6.6.2 less step 5: the CDA signature over the ICC
 * dynamic data and the Unpredictable Number, without the transaction data.
 */
export function verifyCdaSignature(
  iccPublicKey: RsaPublicKey,
  signedDynamicApplicationData: Uint8Array,
  unpredictableNumber: Uint8Array,
): CdaDynamicData & RecoveredDynamicSignature {
  const { recovered, signature } = recoverDynamic(iccPublicKey, signedDynamicApplicationData, CDA);
  const data = parseCdaDynamicData(signature.iccDynamicData);
  checkHash(
    signature.hashAlgorithm,
    [hashedPart(recovered), unpredictableNumber],
    signature.hashResult,
    'Signed Dynamic Application Data',
    `${CDA} steps 6-8`,
  );
  return { ...signature, ...data };
}

export interface CdaInput {
  readonly iccPublicKey: RsaPublicKey;
  /** Signed Dynamic Application Data (9F4B) from the GENERATE AC response. */
  readonly signedDynamicApplicationData: Uint8Array;
  /** Unpredictable Number (9F37) sent in the GENERATE AC. */
  readonly unpredictableNumber: Uint8Array;
  /** Cryptogram Information Data (9F27) returned in the GENERATE AC response. */
  readonly cryptogramInformationData: Uint8Array;
  /** The data behind the Transaction Data Hash Code: see cdaTransactionData. */
  readonly transactionData: Uint8Array;
}

/** EMV Book 2 §6.6.2: verification of a combined DDA/AC generation (CDA) response. */
export function verifyCda(input: CdaInput): CdaDynamicData {
  const { recovered, signature } = recoverDynamic(
    input.iccPublicKey,
    input.signedDynamicApplicationData,
    CDA,
  );
  const data = parseCdaDynamicData(signature.iccDynamicData);
  if (!bytesEqual(data.cryptogramInformationData, input.cryptogramInformationData)) {
    throw new OdaError(
      'CID_MISMATCH',
      `${CDA} step 5`,
      'the signed CID differs from the CID (9F27) in the response',
    );
  }
  checkHash(
    signature.hashAlgorithm,
    [hashedPart(recovered), input.unpredictableNumber],
    signature.hashResult,
    'Signed Dynamic Application Data',
    `${CDA} steps 6-8`,
  );
  const hash = new Uint8Array(createHash('sha1').update(input.transactionData).digest());
  if (!bytesEqual(hash, data.transactionDataHashCode)) {
    throw new OdaError(
      'TRANSACTION_DATA_HASH_MISMATCH',
      `${CDA} steps 9-10`,
      'Transaction Data Hash Code does not match the transaction data',
    );
  }
  return data;
}

export interface CdaTransactionDataInput {
  /** PDOL-related data sent in GET PROCESSING OPTIONS (empty if no PDOL). */
  readonly pdolData: Uint8Array;
  /** CDOL1-related data sent in the first GENERATE AC. */
  readonly cdol1Data: Uint8Array;
  /** CDOL2-related data, for the second GENERATE AC only. */
  readonly cdol2Data?: Uint8Array;
  /** The GENERATE AC response data exactly as received: template '77'. */
  readonly generateAcResponse: Uint8Array;
}

/**
 * Book 2 §6.6.2 step 9: PDOL data, CDOL1 data (and CDOL2 data for the second
 * GENERATE AC), then every data object of the response in the order received,
 * tag, length and value as sent, except the Signed Dynamic Application Data.
 */
export function cdaTransactionData(input: CdaTransactionDataInput): Uint8Array {
  const response = input.generateAcResponse;
  let objects: Uint8Array[];
  try {
    const spans = scanTlv(response);
    if (spans.length !== 1 || spans[0].tag !== '77') {
      throw new OdaError(
        'RESPONSE_FORMAT',
        `${CDA} step 9`,
        "GENERATE AC response is not a single template '77'",
      );
    }
    const value = response.subarray(spans[0].valueStart, spans[0].end);
    objects = scanTlv(value)
      .filter((span) => span.tag !== '9F4B')
      .map((span) => value.subarray(span.start, span.end));
  } catch (error) {
    if (error instanceof TlvError) {
      throw new OdaError(
        'RESPONSE_FORMAT',
        `${CDA} step 9`,
        `GENERATE AC response is not valid BER-TLV: ${error.message}`,
      );
    }
    throw error;
  }
  return concatBytes(
    input.pdolData,
    input.cdol1Data,
    input.cdol2Data ?? new Uint8Array(),
    ...objects,
  );
}
