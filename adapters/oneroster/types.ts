/**
 * OneRoster 1.2 objects as the adapter reads them: every field optional, because a provider's
 * record is checked field by field when it is mapped, and a missing field rejects that record only.
 */

export interface Ref {
  sourcedId?: string;
  type?: string;
  href?: string;
}

export interface OrBase {
  sourcedId?: string;
  status?: string;
  dateLastModified?: string;
  metadata?: Record<string, unknown> | null;
}

export interface OrOrg extends OrBase {
  name?: string;
  type?: string;
  identifier?: string;
  parent?: Ref | null;
}

export interface OrAcademicSession extends OrBase {
  title?: string;
  startDate?: string;
  endDate?: string;
  type?: string;
  parent?: Ref | null;
  schoolYear?: string | number;
  org?: Ref | null;
}

export interface OrCourse extends OrBase {
  title?: string;
  courseCode?: string;
  grades?: string[];
  subjects?: string[];
  subjectCodes?: string[];
  org?: Ref;
}

export interface OrClass extends OrBase {
  title?: string;
  classCode?: string;
  classType?: string;
  grades?: string[];
  subjectCodes?: string[];
  course?: Ref;
  school?: Ref;
  terms?: Ref[];
}

export interface OrRole {
  roleType?: string;
  role?: string;
  org?: Ref;
}

export interface OrUser extends OrBase {
  username?: string;
  userIds?: Array<{ type?: string; identifier?: string }>;
  enabledUser?: boolean | string;
  givenName?: string;
  familyName?: string;
  middleName?: string;
  roles?: OrRole[];
  /** OneRoster 1.1 kept one role per user. */
  role?: string;
  agents?: Ref[];
  primaryOrg?: Ref | null;
  orgs?: Ref[];
  identifier?: string;
  email?: string;
  sms?: string;
  phone?: string;
}

export interface OrEnrollment extends OrBase {
  user?: Ref;
  class?: Ref;
  school?: Ref;
  role?: string;
  primary?: boolean | string;
  beginDate?: string;
  endDate?: string;
}

export interface OrDemographics extends OrBase {
  birthDate?: string;
  sex?: string;
}

export interface OrCategory extends OrBase {
  title?: string;
}

export interface OrLineItem extends OrBase {
  title?: string;
  assignDate?: string;
  class?: Ref;
  category?: Ref;
  academicSession?: Ref;
  /** OneRoster 1.1 name of `academicSession`. */
  gradingPeriod?: Ref;
}

export interface OrResult extends OrBase {
  lineItem?: Ref;
  student?: Ref;
  class?: Ref | null;
  scoreStatus?: string;
  score?: number | string | null;
  textScore?: string | null;
}

export const isActive = (o: OrBase): boolean => o.status !== 'tobedeleted';
