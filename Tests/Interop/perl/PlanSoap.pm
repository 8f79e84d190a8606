package PlanSoap;
# Shared by ./client and ./server: turns the call plan's NODE trees (Tests/Interop/plan/wsdl_plan.py) into
# SOAP::Lite's own objects, typed the SOAP::Lite way (xsi:type on every element that has a named type), and
# renders what SOAP::Lite deserialized as canonical JSON.
use strict;
use warnings;
use Scalar::Util qw(reftype);
use SOAP::Lite;
use JSON::PP ();

use constant XSD => 'http://www.w3.org/2001/XMLSchema';

my %WELL_KNOWN = (
    'http://schemas.microsoft.com/2003/10/Serialization/'       => 'ser',
    'http://schemas.microsoft.com/2003/10/Serialization/Arrays' => 'arr',
);

sub read_plan {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "cannot read plan $path: $!\n";
    local $/;
    my $plan = JSON::PP->new->utf8->decode(scalar <$fh>);
    die "plan $path: format $plan->{format} is not 1\n" unless ($plan->{format} // 0) == 1;
    return $plan;
}

# Prefixes for the namespaces that xsi:type values name: one table per envelope, the same every run.
sub new_prefixes {
    my ($target_ns) = @_;
    return { map => { XSD() => 'xsd', ($target_ns ? ($target_ns => 'tns') : ()) }, next => 1 };
}

sub prefix_for {
    my ($prefixes, $ns) = @_;
    my $map = $prefixes->{map};
    return $map->{$ns} if exists $map->{$ns};
    my $p = $WELL_KNOWN{$ns};
    $p = 'q' . $prefixes->{next}++ while !defined $p || grep { $_ eq $p } values %$map;
    return $map->{$ns} = $p;
}

# The xsi:type a node's element carries: its xsi_type (a derived type) or its declared type; '' for an anonymous
# type (SOAP::Lite then writes no xsi:type instead of guessing one).
sub type_qname {
    my ($node, $prefixes) = @_;
    my $t = $node->{xsi_type} || $node->{type};
    return '' unless $t && defined $t->{name};
    return prefix_for($prefixes, $t->{ns} // '') . ':' . $t->{name};
}

# A NODE as a SOAP::Data (or SOAP::Header, for a header block): name, namespace (->uri: SOAP::Lite declares a
# namespN prefix on the element itself), type, and value: nil, simple text, or the nested children.
sub node_data {
    my ($node, $prefixes, $class) = @_;
    $class ||= 'SOAP::Data';
    my $data = $class->name($node->{name})->uri($node->{ns} // '');
    my $type = type_qname($node, $prefixes);
    my @children = @{ $node->{children} || [] };
    # An anonymous type: '' keeps a simple value from being autotyped; a struct needs undef (SOAP::Lite would
    # map '' to a made-up Perl type).
    $data->type($type ne '' || !@children ? $type : undef);
    if ($node->{nil}) {
        $data->value(undef);
    }
    elsif (@children) {
        $data->value(\SOAP::Data->set_value(map { node_data($_, $prefixes) } @children));
    }
    else {
        # With an explicit type SOAP::Lite writes a value as it is: escaping is the caller's (its encode_data).
        $data->value(SOAP::Utils::encode_data($node->{text} // ''));
    }
    return $data;
}

# The children of a NODE (the body element's content: SOAP::Lite writes the wrapper element itself). With none,
# SOAP::Lite would write the wrapper as <X xsi:nil="true"/>, which these schemas do not allow (the wrapper is not
# nillable): an empty piece of raw XML (its 'xml' type) makes it write <X/>.
sub children_data {
    my ($node, $prefixes) = @_;
    my @children = map { node_data($_, $prefixes) } @{ $node->{children} || [] };
    return @children ? @children : SOAP::Data->type(xml => '');
}

sub register_prefixes {
    my ($serializer, $prefixes) = @_;
    my $map = $prefixes->{map};
    for my $ns (sort keys %$map) {
        next if $ns eq XSD;    # SOAP::Lite declares xsd itself
        $serializer->register_ns($ns, $map->{$ns});
    }
}

# Plain data from what SOAP::Lite deserialized (it blesses structs into classes named after their xsi:type).
sub plain {
    my ($v) = @_;
    my $kind = reftype($v) // '';
    return { map { $_ => plain($v->{$_}) } keys %$v } if $kind eq 'HASH';
    return [ map { plain($_) } @$v ] if $kind eq 'ARRAY';
    return plain($$v) if $kind eq 'SCALAR' || $kind eq 'REF';
    return $v if !ref $v;
    return "$v";
}

# SOAP::Lite's deserializer dies with "Unrecognized type '{ns}Name'" on a simple value whose xsi:type it has no
# as_Name for: an enumeration or a Serialization type (guid, char, duration) of the WSDL. Its documented hook,
# typecast, hands such a value back as the text it is (structs and the XML Schema built-ins go the usual way).
package PlanSoap::Deserializer;
our @ISA = ('SOAP::Deserializer');

sub typecast {
    my ($self, $value, $name, $attrs, $children, $type) = @_;
    return undef if !defined $type || ref $children || !defined $value || $value =~ /^\s*$/;
    my ($schema, $class) = SOAP::Utils::splitlongname($type);
    return undef if defined $schema && $self->xmlschemas->{$schema};
    return $value;
}

package PlanSoap;

my $JSON = JSON::PP->new->canonical->allow_nonref;

# Canonical JSON (sorted keys) as a character string.
sub render { return $JSON->encode(plain($_[0])) }

sub json_line { return JSON::PP->new->canonical->utf8->encode($_[0]) . "\n" }

1;
